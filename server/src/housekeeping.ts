import type { Logger } from 'pino';
import { foldOldAccesses } from './audit/access-retention.js';
import type { Config } from './config.js';
import type { EventBus } from './events.js';
import type { Store } from './store/store.js';

/**
 * Raw access-log entries past `ACCESS_LOG_KEEP_ENTRIES` that start a fold at once, without waiting
 * for the timer: under load (thousands of reads a second) the raw log would otherwise swell to many
 * times its bound between two timer runs, and the heap with it.
 */
export const FOLD_SOON_EXCESS = 1_000;

/**
 * Keeps state from growing with time while the platform runs (README "Retention"): every
 * `HOUSEKEEPING_INTERVAL_SECONDS` it deletes expired OAuth records (codes, tokens, sessions…; their
 * `expiresAt` is on the platform clock, as the store adapter judges them) and folds access-log entries past the retention window into totals.
 * A run also starts as soon as the raw log holds `FOLD_SOON_EXCESS` entries past its bound (with
 * `events`), so the raw log stays near `ACCESS_LOG_KEEP_ENTRIES` at any rate of access.
 * The timer is unref'd (it never keeps the process alive); `close()` stops it and waits for a run
 * in progress. Failures are logged and retried at the next run.
 */
export function startHousekeeping(deps: {
  store: Store;
  config: Config;
  now: () => number;
  logger: Logger;
  events?: EventBus;
}) {
  const { store, config, now, logger, events } = deps;
  let running: Promise<void> | undefined;
  const runOnce = async (): Promise<{ purged: number; folded: number }> => {
    const purged = await store.purgeExpired(now());
    const folded = await foldOldAccesses(
      store,
      { keepEntries: config.ACCESS_LOG_KEEP_ENTRIES, keepMs: config.ACCESS_LOG_KEEP_HOURS * 3_600_000 },
      now(),
    );
    return { purged, folded };
  };
  const tick = () => {
    if (running) return;
    running = runOnce()
      .then(({ purged, folded }) => {
        if (purged + folded > 0) logger.debug({ purged, folded }, 'housekeeping');
      })
      .catch((err: unknown) => logger.warn({ err }, 'housekeeping failed; retrying at the next run'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, config.HOUSEKEEPING_INTERVAL_SECONDS * 1000);
  timer.unref();
  let closed = false;
  let soon = false;
  // Started on the next turn, not inside the access being recorded (whose answer is on its way).
  const offAccess = events?.on('access.recorded', () => {
    if (soon || running || closed || store.accessLogSize() < config.ACCESS_LOG_KEEP_ENTRIES + FOLD_SOON_EXCESS) return;
    soon = true;
    setImmediate(() => {
      soon = false;
      if (!closed) tick();
    });
  });
  return {
    /** One run now (tests, and `npm run test:soak`); resolves with what it removed. */
    runOnce,
    async close(): Promise<void> {
      closed = true;
      clearInterval(timer);
      offAccess?.();
      await running;
    },
  };
}
