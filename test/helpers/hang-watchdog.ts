/**
 * jest's node environment with a watchdog for the file it runs, from `setup()` to `teardown()` (jest
 * tears the environment down after every file, its own hooks included, even one whose tests are all
 * skipped or that failed to load), so that a file that never ends is a quick, named failure or
 * a second run rather than a run hanging silently until CI's own limit: jest's timeouts cover tests
 * and hooks only, and only while the event loop turns.
 * - The event loop stops turning (a synchronous endless loop, in a test, a hook or the code under
 *   test): a thread beside the file sees its heartbeat stop for `STALLED_MS`, names the file on
 *   stderr and kills the jest worker, which jest reports as that file's failure ("terminated by
 *   another process"). Not while a debugger is attached (a breakpoint stops the loop too).
 * - The loop turns but the file is still running after `FILE_LIMIT_MS` (a hang outside any test or
 *   hook, e.g. while its modules load): the kinds of handle the process still waits on are printed
 *   and the worker exits with status 1, which jest-worker answers by running the file again in a new
 *   worker (three times at most, then the file fails).
 * Only in a jest worker process: with `--runInBand` (or `--detectOpenHandles`) the tests run in
 * jest's own process, which this must not end. The slowest file takes under a minute on 2 cores.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';
import inspector from 'node:inspector';
import { Worker } from 'node:worker_threads';

/** ms without a heartbeat after which the loop counts as stuck (`HANG_WATCHDOG_STALLED_MS`, for the watchdog's own test). */
const STALLED_MS = Number(process.env.HANG_WATCHDOG_STALLED_MS) || 60_000;
/** ms a file may run (`HANG_WATCHDOG_FILE_MS`, for the watchdog's own test). */
const FILE_LIMIT_MS = Number(process.env.HANG_WATCHDOG_FILE_MS) || 10 * 60_000;
/** ms between heartbeats. */
const BEAT_MS = 500;

// Plain JavaScript: worker threads do not go through jest's transform. Times are of the monotonic
// clock (process.hrtime), the same for every thread of the process, in ns.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new BigInt64Array(workerData.beat);
setInterval(() => {
  const stalled = Number((process.hrtime.bigint() - Atomics.load(beat, 0)) / 1000000n);
  if (stalled < workerData.stalledMs) return;
  writeSync(2, '\\n[hang-watchdog] ' + workerData.file + ': the event loop has not turned for ' + stalled + ' ms (an endless synchronous loop?): killing this jest worker\\n');
  process.kill(process.pid, 'SIGKILL');
}, Math.min(1000, workerData.stalledMs / 4));
`;

/** Whether this process is a jest worker (a child with an IPC channel to jest), not jest's own. */
const inJestWorker = () => typeof process.send === 'function';

/**
 * Starts watching the file `file` (its path, for the messages) now; resolves the returned stop()
 * once the watchdog is gone. A no-op outside a jest worker.
 */
function startHangWatchdog(file: string): () => Promise<void> {
  if (!inJestWorker()) return async () => undefined;
  const beat = new BigInt64Array(new SharedArrayBuffer(8));
  const heartbeat = () => void Atomics.store(beat, 0, process.hrtime.bigint());
  heartbeat();
  const beating = setInterval(heartbeat, BEAT_MS);
  beating.unref();
  // A debugger's breakpoint stops the loop as an endless loop does: no stall check while one is attached.
  const watchdog =
    inspector.url() === undefined
      ? new Worker(WATCHDOG, { eval: true, workerData: { beat: beat.buffer, stalledMs: STALLED_MS, file } })
      : undefined;
  watchdog?.unref();
  const tooLong = setTimeout(() => {
    const waitingOn = (process as unknown as { _getActiveHandles(): object[] })
      ._getActiveHandles()
      .map((handle) => handle.constructor.name);
    process.stderr.write(
      `\n[hang-watchdog] ${file} has run for ${FILE_LIMIT_MS} ms; the process waits on: ${waitingOn.join(', ')}. ` +
        'Exiting this jest worker: jest runs the file again in a new one.\n',
    );
    process.exit(1);
  }, FILE_LIMIT_MS);
  tooLong.unref();
  return async () => {
    clearTimeout(tooLong);
    clearInterval(beating);
    await watchdog?.terminate();
  };
}

/** The test environment (jest.config.js `testEnvironment`): jest's node environment, watched. */
export default class WatchedEnvironment extends TestEnvironment {
  readonly #file: string;
  #stopWatching: (() => Promise<void>) | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.#file = context.testPath;
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.#stopWatching = startHangWatchdog(this.#file);
  }

  override async teardown(): Promise<void> {
    await this.#stopWatching?.();
    await super.teardown();
  }
}
