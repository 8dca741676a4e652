import type { ClientRateLimitInfo, Store } from 'express-rate-limit';
import type { Clock } from '../clock/clock.js';

/** Above this many keys, windows that have ended are dropped on the next hit (retention rule). */
const PRUNE_ABOVE = 1000;

/**
 * An express-rate-limit store whose fixed windows run on the platform clock, so advancing a
 * controllable clock ends a window (README "Time, faults and expiry for testers"). A key's window
 * starts at its first hit and lasts `windowMs`. `resetTime` is handed back in wall-clock terms,
 * as express-rate-limit compares it with `Date.now()` for the `RateLimit` header.
 */
export function clockedRateStore(clock: Clock, windowMs: number): Store {
  const windows = new Map<string, { hits: number; endsAt: number }>();
  const info = (w: { hits: number; endsAt: number }): ClientRateLimitInfo => ({
    totalHits: w.hits,
    resetTime: new Date(w.endsAt - (clock.now() - Date.now())),
  });
  const current = (key: string) => {
    const w = windows.get(key);
    return w && w.endsAt > clock.now() ? w : undefined;
  };
  return {
    localKeys: true,
    get: (key) => {
      const w = current(key);
      return w ? info(w) : undefined;
    },
    increment(key) {
      const now = clock.now();
      if (windows.size > PRUNE_ABOVE) for (const [k, w] of windows) if (w.endsAt <= now) windows.delete(k);
      const w = current(key) ?? { hits: 0, endsAt: now + windowMs };
      w.hits += 1;
      windows.set(key, w);
      return info(w);
    },
    decrement(key) {
      const w = current(key);
      if (w && w.hits > 0) w.hits -= 1;
    },
    resetKey(key) {
      windows.delete(key);
    },
    resetAll() {
      windows.clear();
    },
  };
}
