import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  COMPACT_AFTER_GROWTH_BYTES,
  compactWhenIdle,
  heapCollector,
  YOUNG_SHRINK_WINDOW_MS,
  YOUNG_SHRUNK_BYTES,
  type HeapCollector,
} from '../../server/src/http/compact-when-idle.js';
import { childEnv } from '../helpers/crash.js';

const root = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IDLE_MS = 300;

/** A collector over a pretend heap: counts what it is asked; `grow()` adds to the old generation. */
function countingCollector() {
  const heap = { old: 100 * 2 ** 20, young: 32 * 2 ** 20 };
  const counts = { compactions: 0, scavenges: 0 };
  const collector: HeapCollector = {
    compact: () => void counts.compactions++,
    minor: () => {
      // V8 shrinks the young generation after a few idle scavenges (here the third).
      if (++counts.scavenges === 3) heap.young = 2 ** 20;
    },
    committed: () => ({ ...heap }),
  };
  return { collector, counts, heap, grow: () => void (heap.old += COMPACT_AFTER_GROWTH_BYTES) };
}

describe('compactWhenIdle: the heap is compacted once after a load stops (README "Performance")', () => {
  // Each test has its own server and mostly waits: they run at the same time (it.concurrent).
  const servers: http.Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });
  /** A server with no `upgrade` listener of its own (as a partner app's). */
  const server = async () => {
    const s = http.createServer((_req, res) => res.end('ok'));
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return { s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/` };
  };
  const get = (url: string) => fetch(url).then((r) => r.text());

  it.concurrent(
    'When a load stops after the heap grew, then it compacts once and scavenges the young generation; never while requests keep coming, nor when idle from the start',
    async () => {
      const { s, url } = await server();
      const { collector, counts, grow } = countingCollector();
      const stop = compactWhenIdle({ servers: [s], idleMs: IDLE_MS, collector });
      try {
        await sleep(3 * IDLE_MS); // idle from the start: nothing to give back
        expect(counts).toEqual({ compactions: 0, scavenges: 0 });

        grow();
        const until = Date.now() + 4 * IDLE_MS; // a steady load: a request every 20 ms
        while (Date.now() < until) {
          await get(url);
          await sleep(20);
        }
        expect(counts).toEqual({ compactions: 0, scavenges: 0 });
        // The compaction 1–2 looks after the last request, then a scavenge per look until it shrank.
        await sleep(8 * IDLE_MS);
        expect(counts).toEqual({ compactions: 1, scavenges: 3 });
      } finally {
        stop();
      }
    },
  );

  it.concurrent(
    'When the young generation does not shrink, then the scavenges stop after YOUNG_SHRINK_WINDOW_MS anyway',
    async () => {
      const { s, url } = await server();
      const { collector, counts } = countingCollector();
      const idleMs = YOUNG_SHRINK_WINDOW_MS / 10;
      const stop = compactWhenIdle({
        servers: [s],
        idleMs,
        collector: { ...collector, minor: () => void counts.scavenges++ },
      });
      try {
        await get(url);
        await sleep(14 * idleMs);
        expect(counts).toEqual({ compactions: 0, scavenges: 10 });
      } finally {
        stop();
      }
    },
    15_000,
  );

  it.concurrent(
    'When requests come with pauses but the heap has not grown, then no compaction: light traffic pays no full collection each time',
    async () => {
      const { s, url } = await server();
      const { collector, counts, heap, grow } = countingCollector();
      heap.young = YOUNG_SHRUNK_BYTES; // already as small as it gets: no scavenges either
      const stop = compactWhenIdle({ servers: [s], idleMs: IDLE_MS, collector });
      try {
        for (let i = 0; i < 3; i++) {
          await get(url);
          await sleep(3 * IDLE_MS);
        }
        expect(counts).toEqual({ compactions: 0, scavenges: 0 });
        grow();
        await get(url);
        await sleep(3 * IDLE_MS);
        expect(counts).toEqual({ compactions: 1, scavenges: 0 });
      } finally {
        stop();
      }
    },
  );

  it.concurrent(
    'When only new connections arrive (a WebSocket upgrade), then that is activity; a server without an upgrade listener still answers an Upgrade request itself',
    async () => {
      const { s, url } = await server();
      const { collector, counts, grow } = countingCollector();
      const stop = compactWhenIdle({ servers: [s], idleMs: IDLE_MS, collector });
      try {
        grow();
        // `Upgrade: h2c` (curl --http2): with no upgrade listener, node serves it as a plain request.
        const answer = await new Promise<number>((resolve, reject) => {
          const req = http.request(url, { headers: { connection: 'upgrade', upgrade: 'h2c' } }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on('error', reject);
          req.end();
        });
        expect(answer).toBe(200);
        expect(s.listenerCount('upgrade')).toBe(0);
        await sleep(3 * IDLE_MS);
        expect(counts.compactions).toBe(1);
      } finally {
        stop();
      }
      expect([s.listenerCount('request'), s.listenerCount('connection')]).toEqual([1, 1]); // its own only
    },
  );

  it.concurrent('When idleMs is 0, then nothing runs; a value under 100 ms is refused', async () => {
    const { s, url } = await server();
    const { collector, counts, grow } = countingCollector();
    const off = compactWhenIdle({ servers: [s], idleMs: 0, collector });
    grow();
    await get(url);
    await sleep(500);
    expect(counts).toEqual({ compactions: 0, scavenges: 0 });
    off();
    expect(() => compactWhenIdle({ servers: [s], idleMs: 1, collector })).toThrow(RangeError);
  });

  it('is there only when node exposes gc (npm start: --expose-gc), and nothing otherwise (jest, npm run dev)', () => {
    expect(heapCollector() !== undefined).toBe(typeof (globalThis as { gc?: unknown }).gc === 'function');
  });

  it.concurrent(
    'gives back old-space pages that plain full collections keep, and shrinks the young generation once idle (real node, --expose-gc)',
    async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', path.join(root, 'test/helpers/compaction-child.ts')],
        { cwd: root, env: childEnv(), timeout: 30_000 },
      );
      const facts = JSON.parse(stdout) as Record<'kept' | 'plain' | 'compacted' | 'youngBusy' | 'youngIdle', number>;
      expect(facts.kept).toBe(150_000);
      // Half of 300,000 promoted objects kept: after two plain full collections most pages are still half full.
      expect(facts.plain).toBeGreaterThan(30 * 2 ** 20);
      expect(facts.compacted).toBeLessThan(facts.plain * 0.7);
      // The load grew the young generation to 32 MB; 8 s after it, the scavenges have let V8 shrink it.
      expect(facts.youngBusy).toBeGreaterThanOrEqual(16 * 2 ** 20);
      expect(facts.youngIdle).toBeLessThanOrEqual(YOUNG_SHRUNK_BYTES);
    },
  );
});
