import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  COMPACT_AFTER_GROWTH_BYTES,
  compactWhenIdle,
  heapCollector,
  SCAVENGE_EVERY_MS,
  settledAfterMs,
  YOUNG_SHRINK_WINDOW_MS,
  YOUNG_SHRUNK_BYTES,
  type HeapCollector,
} from '../../server/src/http/compact-when-idle.js';
import { childEnv } from '../helpers/crash.js';
import { until } from '../helpers/platform.js';

const root = path.resolve(import.meta.dirname, '../..');
const IDLE_MS = 1000;
const SCAVENGES = Math.ceil(YOUNG_SHRINK_WINDOW_MS / SCAVENGE_EVERY_MS);

/**
 * A collector over a pretend heap: counts what it is asked; `grow()` adds to the old generation;
 * the young generation shrinks after `shrinksAfter` scavenges (V8 does after a few idle ones).
 */
function countingCollector(shrinksAfter = 3) {
  const heap = { old: 100 * 2 ** 20, young: 32 * 2 ** 20 };
  const counts = { compactions: 0, scavenges: 0 };
  const collector: HeapCollector = {
    compact: () => void counts.compactions++,
    minor: () => {
      if (++counts.scavenges === shrinksAfter) heap.young = 2 ** 20;
    },
    committed: () => ({ ...heap }),
  };
  return { collector, counts, heap, grow: (bytes = COMPACT_AFTER_GROWTH_BYTES) => void (heap.old += bytes) };
}

describe('compactWhenIdle: when it compacts and scavenges (fake timers, a pretend server and heap)', () => {
  let server: EventEmitter;
  beforeEach(() => {
    jest.useFakeTimers();
    server = new EventEmitter();
  });
  afterEach(() => {
    jest.useRealTimers();
  });
  /** `ms` of a steady load: a request every 50 ms. */
  const load = (ms: number) => {
    for (let t = 0; t < ms; t += 50) {
      server.emit('request');
      jest.advanceTimersByTime(50);
    }
  };

  it('When a load stops after the heap grew, then it compacts once, 1–2 looks later, then scavenges every SCAVENGE_EVERY_MS until the young generation shrank; never during the load, nor when idle from the start', () => {
    const { collector, counts, grow } = countingCollector();
    const stop = compactWhenIdle({ servers: [server], idleMs: IDLE_MS, collector });
    jest.advanceTimersByTime(10 * IDLE_MS);
    expect(counts).toEqual({ compactions: 0, scavenges: 0 }); // idle from the start
    grow();
    load(20 * IDLE_MS);
    expect(counts).toEqual({ compactions: 0, scavenges: 0 });
    jest.advanceTimersByTime(IDLE_MS); // the load ended on a look that saw requests: the next is quiet
    expect(counts).toEqual({ compactions: 1, scavenges: 0 });
    jest.advanceTimersByTime(2 * SCAVENGE_EVERY_MS);
    expect(counts).toEqual({ compactions: 1, scavenges: 2 });
    jest.advanceTimersByTime(settledAfterMs(IDLE_MS));
    expect(counts).toEqual({ compactions: 1, scavenges: 3 }); // shrunk after the third: no more
    stop();
  });

  it('When the young generation does not shrink, then the scavenges stop after YOUNG_SHRINK_WINDOW_MS anyway; nothing more until the next activity', () => {
    const { collector, counts, grow } = countingCollector(Infinity);
    const stop = compactWhenIdle({ servers: [server], idleMs: IDLE_MS, collector });
    grow();
    load(IDLE_MS);
    jest.advanceTimersByTime(settledAfterMs(IDLE_MS) + 10 * IDLE_MS);
    expect(counts).toEqual({ compactions: 1, scavenges: SCAVENGES });
    server.emit('connection'); // a new connection is activity too
    jest.advanceTimersByTime(settledAfterMs(IDLE_MS));
    expect(counts).toEqual({ compactions: 1, scavenges: 2 * SCAVENGES }); // no growth since: no compaction
    stop();
  });

  it('When a request comes while it scavenges, then the scavenges stop at once and start again only after the next quiet look', () => {
    const { collector, counts, grow } = countingCollector(Infinity);
    const stop = compactWhenIdle({ servers: [server], idleMs: IDLE_MS, collector });
    grow();
    load(IDLE_MS);
    jest.advanceTimersByTime(IDLE_MS + 3 * SCAVENGE_EVERY_MS);
    expect(counts).toEqual({ compactions: 1, scavenges: 3 });
    load(5 * IDLE_MS);
    expect(counts).toEqual({ compactions: 1, scavenges: 3 });
    jest.advanceTimersByTime(2 * IDLE_MS);
    expect(counts.compactions).toBe(1); // no growth since: no compaction
    expect(counts.scavenges).toBeGreaterThan(3);
    const before = counts.scavenges;
    stop();
    jest.advanceTimersByTime(settledAfterMs(IDLE_MS));
    expect(counts.scavenges).toBe(before); // stop() ends the scavenges too
  });

  it('When requests come with pauses but the old generation has not grown by COMPACT_AFTER_GROWTH_BYTES since its lowest, then no compaction', () => {
    const { collector, counts, heap, grow } = countingCollector();
    heap.young = YOUNG_SHRUNK_BYTES; // already as small as it gets: no scavenges either
    const stop = compactWhenIdle({ servers: [server], idleMs: IDLE_MS, collector });
    for (let i = 0; i < 5; i++) {
      server.emit('request');
      jest.advanceTimersByTime(3 * IDLE_MS);
    }
    expect(counts).toEqual({ compactions: 0, scavenges: 0 });
    heap.old -= 8 * 2 ** 20; // V8 gave some back itself: growth counts from there
    server.emit('request');
    jest.advanceTimersByTime(3 * IDLE_MS);
    grow(); // 8 MiB above where it started, 16 MiB above its lowest
    server.emit('request');
    jest.advanceTimersByTime(3 * IDLE_MS);
    expect(counts).toEqual({ compactions: 1, scavenges: 0 });
    stop();
  });

  it('When stopped, then nothing runs and its listeners are gone; with idleMs 0 nothing runs; under 100 ms is refused', () => {
    const { collector, counts, grow } = countingCollector();
    const stop = compactWhenIdle({ servers: [server], idleMs: IDLE_MS, collector });
    const off = compactWhenIdle({ servers: [server], idleMs: 0, collector });
    expect([server.listenerCount('request'), server.listenerCount('connection')]).toEqual([1, 1]);
    stop();
    off();
    expect([server.listenerCount('request'), server.listenerCount('connection')]).toEqual([0, 0]);
    grow();
    load(IDLE_MS);
    jest.advanceTimersByTime(settledAfterMs(IDLE_MS));
    expect(counts).toEqual({ compactions: 0, scavenges: 0 });
    expect(() => compactWhenIdle({ servers: [server], idleMs: 1, collector })).toThrow(RangeError);
  });
});

describe('compactWhenIdle on real servers and a real heap', () => {
  it('When a WebSocket client only connects (no request), then that is activity', async () => {
    const s = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { collector, counts, grow } = countingCollector();
    const stop = compactWhenIdle({ servers: [s], idleMs: 100, collector });
    const socket = net.connect((s.address() as AddressInfo).port, '127.0.0.1');
    try {
      grow();
      await until(() => counts.compactions === 1, 5_000, 'a compaction after the connection');
    } finally {
      stop();
      socket.destroy();
      await new Promise((r) => s.close(r));
    }
  });

  it('When a server has no upgrade listener of its own (a partner app), then it still answers an Upgrade request itself (curl --http2 sends Upgrade: h2c)', async () => {
    const s = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const stop = compactWhenIdle({ servers: [s], idleMs: 100, collector: countingCollector().collector });
    try {
      const answer = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          `http://127.0.0.1:${(s.address() as AddressInfo).port}/`,
          { headers: { connection: 'upgrade', upgrade: 'h2c' } },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.setTimeout(5_000, () => req.destroy(new Error('no answer to an Upgrade request')));
        req.on('error', reject);
        req.end();
      });
      expect(answer).toBe(200);
    } finally {
      stop();
      await new Promise((r) => s.close(r));
    }
  });

  it('is there only when node exposes gc (npm start: --expose-gc), and nothing otherwise (jest, npm run dev)', () => {
    expect(heapCollector() !== undefined).toBe(typeof (globalThis as { gc?: unknown }).gc === 'function');
  });

  it('gives back old-space pages that plain full collections keep, and shrinks the young generation once idle (real node, --expose-gc)', async () => {
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
    // The load grew the young generation to 32 MB; once quiet, the scavenges let V8 shrink it.
    expect(facts.youngBusy).toBeGreaterThanOrEqual(16 * 2 ** 20);
    expect(facts.youngIdle).toBeLessThanOrEqual(YOUNG_SHRUNK_BYTES);
  });
});
