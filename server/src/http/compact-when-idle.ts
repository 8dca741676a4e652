import type { EventEmitter } from 'node:events';
import { MIN_COMPACT_IDLE_MS } from '../config.js';
import v8 from 'node:v8';

/** What the idle reducer asks of V8. */
export interface HeapCollector {
  /** A full collection that compacts old space. */
  compact(): void;
  /** A young-generation collection (a scavenge): under a millisecond on an idle heap. */
  minor(): void;
  /** Bytes committed now: the young generation, and everything else (old, code, large objects). */
  committed(): { young: number; old: number };
}

/** The young generation's spaces in `v8.getHeapSpaceStatistics()`. */
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space']);

/**
 * V8's collections, when the process was started with `--expose-gc` (as `npm start` and the bench
 * start it); undefined otherwise (jest, `npm run dev`). Why compacting: after a load, old space is
 * mostly pages each partly filled by objects that outlived a request (messages, access-log entries),
 * and a full collection moves only a few MB of them, so the pages stay committed (README
 * "Performance": 97 MB committed for 26 MB live). `--compact-on-every-full-gc` is set for this one
 * collection only (on every collection it measured a worse POST p99 under load), and unset after it
 * even if node was started with it.
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
    committed() {
      let young = 0;
      let old = 0;
      for (const s of v8.getHeapSpaceStatistics()) {
        if (YOUNG_SPACES.has(s.space_name)) young += s.space_size;
        else old += s.space_size;
      }
      return { young, old };
    },
  };
}

/**
 * ms after the compaction during which the young generation is scavenged until V8 shrinks it: the
 * background work a load leaves behind (access-log batches, retention) allocates for a second or two
 * after it, and V8 shrinks only once the rate it sees is low.
 */
export const YOUNG_SHRINK_WINDOW_MS = 6_000;
/**
 * ms between those scavenges. V8 rates allocation over its last ten collections (the GC tracer's
 * ring buffer of samples, at most `kThroughputTimeFrameMs`, 5 s, back), so ten quiet scavenges
 * 100 ms apart show it the quiet rate within about a second, where one a second took five, and
 * missed the window when background work went on after the load (at 100k, on a slower machine).
 * An idle scavenge takes 1–2 ms.
 */
export const SCAVENGE_EVERY_MS = 100;
/** Growth (bytes) of the old generation since the last compaction that is worth a compaction's pause. */
export const COMPACT_AFTER_GROWTH_BYTES = 16 * 2 ** 20;
/** A young generation (bytes) at most this big is as small as V8 makes it: no scavenge needed. */
export const YOUNG_SHRUNK_BYTES = 2 * 2 ** 20;

/**
 * ms after the last activity by which `compactWhenIdle` is done (the compaction, then the scavenges
 * that let V8 shrink the young generation): what to wait before reading the memory it gave back.
 */
export function settledAfterMs(idleMs: number): number {
  return 2 * idleMs + YOUNG_SHRINK_WINDOW_MS;
}

export interface CompactWhenIdleOptions {
  /** Servers (node:http) whose `request` and `connection` events count as activity. */
  servers: readonly EventEmitter[];
  /** ms (0, or at least `MIN_COMPACT_IDLE_MS`): quiet time, after activity, before the heap is looked at; 0 turns it off. */
  idleMs: number;
  /** The collections (default `heapCollector()`: nothing happens when that is undefined). */
  collector?: HeapCollector | undefined;
}

/**
 * Gives memory back once a load stops, as V8's memory reducer does in a browser tab that goes idle
 * (in node it seldom starts: README "Performance"). Every `idleMs` a timer looks at whether the servers
 * had a request or a new connection since its last look. At the first quiet look after activity
 * (between `idleMs` and 2 × `idleMs` after the last request), old space is compacted if it grew by
 * `COMPACT_AFTER_GROWTH_BYTES` since the last compaction (so light traffic with pauses between
 * requests does not pay a full collection each time); then, while the young generation is bigger
 * than `YOUNG_SHRUNK_BYTES` and nothing happens, it is scavenged every `SCAVENGE_EVERY_MS` for up
 * to `YOUNG_SHRINK_WINDOW_MS`, so that V8 sees an allocation rate low enough to shrink it (from
 * 32 MB to 1 MB: it measures the rate at collections only, and an idle process has none). Requests
 * in progress and traffic on open WebSockets are not activity. Nothing runs while requests come
 * closer together than `idleMs`. The timers are unref'd.
 * @throws RangeError when `idleMs` is neither 0 nor at least `MIN_COMPACT_IDLE_MS`.
 * @returns stop(): removes the listeners and the timer.
 */
export function compactWhenIdle(options: CompactWhenIdleOptions): () => void {
  const { idleMs } = options;
  if (idleMs !== 0 && !(idleMs >= MIN_COMPACT_IDLE_MS))
    throw new RangeError(`idleMs must be 0 or at least ${MIN_COMPACT_IDLE_MS} ms`);
  const collector = 'collector' in options ? options.collector : heapCollector();
  if (idleMs === 0 || !collector) return () => {};
  let compactedAt = collector.committed().old;
  let active = 0;
  /** Whether a quiet look is due to act: set by activity, cleared by the look that acts. */
  let due = false;
  let shrinking: NodeJS.Timeout | undefined;
  const stopShrinking = () => {
    clearInterval(shrinking);
    shrinking = undefined;
  };
  const count = () => void active++;
  for (const server of options.servers) {
    server.on('request', count);
    server.on('connection', count);
  }
  const shrinkYoung = () => {
    let left = Math.ceil(YOUNG_SHRINK_WINDOW_MS / SCAVENGE_EVERY_MS);
    shrinking = setInterval(() => {
      if (active > 0 || left-- === 0 || collector.committed().young <= YOUNG_SHRUNK_BYTES) return stopShrinking();
      collector.minor();
    }, SCAVENGE_EVERY_MS);
    shrinking.unref();
  };
  const timer = setInterval(() => {
    if (active > 0) {
      active = 0;
      due = true;
      return stopShrinking();
    }
    if (!due) return;
    due = false;
    const { old } = collector.committed();
    if (old - compactedAt >= COMPACT_AFTER_GROWTH_BYTES) {
      collector.compact();
      compactedAt = collector.committed().old;
    } else compactedAt = Math.min(compactedAt, old);
    if (collector.committed().young > YOUNG_SHRUNK_BYTES) shrinkYoung();
  }, idleMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopShrinking();
    for (const server of options.servers) {
      server.off('request', count);
      server.off('connection', count);
    }
  };
}
