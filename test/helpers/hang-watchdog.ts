/**
 * jest setup file (after the framework, for `afterAll`): turns a test file that never ends into a
 * quick, named failure or a second run, rather than a run that hangs silently until CI's own limit.
 * jest's timeouts cover tests and hooks only, and only while the event loop turns.
 * - The event loop stops turning (a synchronous endless loop, in a test or in the code under test):
 *   a thread beside the file sees its heartbeat stop for `STALLED_MS`, names the file on stderr and
 *   kills the worker, which jest reports as that file's failure ("terminated by another process").
 * - The loop turns but the file is still running after `FILE_LIMIT_MS` (a hang outside any test or
 *   hook, e.g. while its modules load): what the process still waits on is printed and the worker
 *   exits with status 1, which jest-worker answers by running the file again in a new worker (three
 *   times at most, then the file fails).
 * The slowest file takes under a minute on 2 cores.
 */
import { afterAll, expect } from '@jest/globals';
import { Worker } from 'node:worker_threads';

/** ms without a heartbeat after which the loop counts as stuck (`HANG_WATCHDOG_STALLED_MS`, for the watchdog's own test). */
const STALLED_MS = Number(process.env.HANG_WATCHDOG_STALLED_MS) || 60_000;
/** ms a file may run (`HANG_WATCHDOG_FILE_MS`, for the watchdog's own test). */
const FILE_LIMIT_MS = Number(process.env.HANG_WATCHDOG_FILE_MS) || 10 * 60_000;
/** ms between heartbeats. */
const BEAT_MS = 500;

const file = expect.getState().testPath ?? 'a test file';

// Plain JavaScript: worker threads do not go through jest's transform.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new BigInt64Array(workerData.beat);
setInterval(() => {
  const stalled = Date.now() - Number(Atomics.load(beat, 0));
  if (stalled < workerData.stalledMs) return;
  writeSync(2, '\\n[hang-watchdog] ' + workerData.file + ': the event loop has not turned for ' + stalled + ' ms (an endless synchronous loop?): killing this jest worker\\n');
  process.kill(process.pid, 'SIGKILL');
}, Math.min(1000, workerData.stalledMs / 4));
`;

const beat = new BigInt64Array(new SharedArrayBuffer(8));
const heartbeat = () => void Atomics.store(beat, 0, BigInt(Date.now()));
heartbeat();
const beating = setInterval(heartbeat, BEAT_MS);
beating.unref();
const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { beat: beat.buffer, stalledMs: STALLED_MS, file } });
watchdog.unref();

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

afterAll(async () => {
  clearTimeout(tooLong);
  clearInterval(beating);
  await watchdog.terminate();
});
