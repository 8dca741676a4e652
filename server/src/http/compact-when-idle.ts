import type { Server } from 'node:http';
import v8 from 'node:v8';

/** What the idle reducer asks of V8. */
export interface HeapCollector {
  /** A full collection that compacts old space. */
  compact(): void;
  /** A young-generation collection (a scavenge): under a millisecond on an idle heap. */
  minor(): void;
}

/**
 * V8's collections, when the process was started with `--expose-gc` (as `npm start` and the bench
 * start it); undefined otherwise (jest, `npm run dev`). Why compacting: after a load, old space is
 * mostly pages each partly filled by objects that outlived a request (messages, access-log entries),
 * and a plain full collection moves only a few MB of them, so the pages stay committed (README
 * "Performance": 97 MB committed for 26 MB live). `--compact-on-every-full-gc` is set for this one
 * collection only: on every collection it measured a worse POST p99 under load.
 */
export function heapCollector(): HeapCollector | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') return undefined;
  // `gc()` without options: with `{ type: 'major' }` V8 scans the stack conservatively and moves nothing.
  const collect = gc as (options?: { type: 'minor'; execution: 'sync' }) => void;
  return {
    compact() {
      v8.setFlagsFromString('--compact-on-every-full-gc');
      try {
        collect();
      } finally {
        v8.setFlagsFromString('--no-compact-on-every-full-gc');
      }
    },
    minor: () => collect({ type: 'minor', execution: 'sync' }),
  };
}

/**
 * ms of allocation history V8 looks at to decide that allocation is slow enough to shrink the young
 * generation (`kThroughputTimeFrameMs` in its GC tracer), plus a second of margin.
 */
export const YOUNG_SHRINK_WINDOW_MS = 6_000;

export interface CompactWhenIdleOptions {
  /** Servers whose requests and WebSocket upgrades count as activity. */
  servers: readonly Server[];
  /** ms: how long the servers must have had no request, after some, before the heap is compacted; 0 turns it off. */
  idleMs: number;
  /** The collections (default `heapCollector()`: nothing happens when that is undefined). */
  collector?: HeapCollector | undefined;
  /** Told after the compaction: its pause (ms) and the heap committed before and after (bytes). */
  onCompacted?: (facts: { pauseMs: number; heapBefore: number; heapAfter: number }) => void;
}

/**
 * Gives memory back once a load stops, as V8's memory reducer does in a browser tab that goes idle
 * (in node it seldom starts: README "Performance"). Every `idleMs` a timer looks at whether the servers
 * had a request or upgrade since its last look. After activity, the first quiet look compacts old
 * space (between `idleMs` and 2 × `idleMs` after the last request, never during a load); the quiet
 * looks that follow, for `YOUNG_SHRINK_WINDOW_MS`, each run a scavenge of the near-empty young
 * generation, so that V8 sees an allocation rate low enough to shrink it (from 32 MB to 1 MB; it
 * measures the rate at collections only, and an idle process has none). Any request starts over;
 * nothing runs again until there has been activity. The pause of the compaction (tens of ms at
 * 100,000 stored messages) falls when nobody is asking. The timer is unref'd.
 * @returns stop(): removes the listeners and the timer.
 */
export function compactWhenIdle(options: CompactWhenIdleOptions): () => void {
  const collector = 'collector' in options ? options.collector : heapCollector();
  if (options.idleMs === 0 || !collector) return () => {};
  const scavenges = Math.ceil(YOUNG_SHRINK_WINDOW_MS / options.idleMs);
  let requests = 0;
  /** Quiet looks still to act on since the last activity: 0 = nothing owed. */
  let owed = 0;
  const count = () => void requests++;
  for (const server of options.servers) {
    server.on('request', count);
    server.on('upgrade', count);
  }
  const timer = setInterval(() => {
    if (requests > 0) {
      requests = 0;
      owed = 1 + scavenges;
      return;
    }
    if (owed === 0) return;
    if (owed-- <= scavenges) return collector.minor();
    const heapBefore = v8.getHeapStatistics().total_heap_size;
    const started = performance.now();
    collector.compact();
    options.onCompacted?.({
      pauseMs: performance.now() - started,
      heapBefore,
      heapAfter: v8.getHeapStatistics().total_heap_size,
    });
  }, options.idleMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const server of options.servers) {
      server.off('request', count);
      server.off('upgrade', count);
    }
  };
}
