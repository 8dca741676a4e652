import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from '@jest/globals';
import { compactWhenIdle, heapCollector, YOUNG_SHRINK_WINDOW_MS } from '../../server/src/http/compact-when-idle.js';
import { childEnv } from '../helpers/crash.js';

const root = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('compactWhenIdle: the heap is compacted once after a load stops (README "Performance")', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const server = async () => {
    const s = http.createServer((_req, res) => res.end('ok'));
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return { s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/` };
  };

  it('compacts once after requests stop, never while they keep coming, and not when idle from the start', async () => {
    const { s, url } = await server();
    let compactions = 0;
    let scavenges = 0;
    const collector = { compact: () => compactions++, minor: () => scavenges++ };
    const stop = compactWhenIdle({ servers: [s], idleMs: 100, collector });
    await sleep(350); // idle from the start: nothing to give back
    expect(compactions + scavenges).toBe(0);

    // A steady load (a request every 10 ms for 600 ms) is never interrupted.
    const until = Date.now() + 600;
    while (Date.now() < until) {
      await fetch(url).then((r) => r.text());
      await sleep(10);
    }
    expect(compactions + scavenges).toBe(0);
    await sleep(450); // between 100 and 200 ms after the last request, then scavenges while quiet
    expect(compactions).toBe(1);
    expect(scavenges).toBeGreaterThan(0);
    expect(scavenges).toBeLessThanOrEqual(YOUNG_SHRINK_WINDOW_MS / 100);

    // A second burst owes a second compaction; after stop() nothing more happens.
    await fetch(url).then((r) => r.text());
    await sleep(450);
    expect(compactions).toBe(2);
    stop();
    await fetch(url).then((r) => r.text());
    await sleep(450);
    expect(compactions).toBe(2);
  });

  it('counts WebSocket upgrades as activity, and is off with idleMs 0', async () => {
    const { s, url } = await server();
    s.on('upgrade', (_req, socket) => socket.destroy());
    let compactions = 0;
    const collector = { compact: () => compactions++, minor: () => {} };
    const stop = compactWhenIdle({ servers: [s], idleMs: 100, collector });
    const off = compactWhenIdle({
      servers: [s],
      idleMs: 0,
      collector: { compact: () => (compactions += 100), minor: () => {} },
    });
    await new Promise<void>((resolve) => {
      const req = http.request(url, { headers: { connection: 'upgrade', upgrade: 'websocket' } });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.end();
    });
    await sleep(450);
    expect(compactions).toBe(1);
    stop();
    off();
  });

  it('is nothing without --expose-gc (jest, npm run dev)', () => {
    expect(heapCollector()).toBeUndefined();
  });

  it('gives back old-space pages a plain full collection keeps, and shrinks the young generation once idle (real node, --expose-gc)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(root, 'test/helpers/compaction-child.ts')],
      { cwd: root, env: childEnv(), timeout: 30_000 },
    );
    const facts = JSON.parse(stdout) as Record<'kept' | 'plain' | 'compacted' | 'youngBusy' | 'youngIdle', number>;
    expect(facts.kept).toBe(15_000);
    // 300,000 objects promoted, one in 20 kept: a plain full GC keeps most of their pages committed.
    expect(facts.plain).toBeGreaterThan(30 * 2 ** 20);
    expect(facts.compacted).toBeLessThan(facts.plain / 3);
    // The load grew the young generation to 32 MB; 8 s after it, the scavenges have let V8 shrink it.
    expect(facts.youngBusy).toBeGreaterThanOrEqual(16 * 2 ** 20);
    expect(facts.youngIdle).toBeLessThanOrEqual(2 * 2 ** 20);
  });
});
