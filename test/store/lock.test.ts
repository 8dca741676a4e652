import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { nodeDisk, type Disk } from '../../server/src/store/disk.js';
import { acquireLock } from '../../server/src/store/lock.js';
import { StoreLoadError } from '../../server/src/store/store-errors.js';

/** A pid no process has: the highest pid Linux hands out is 2^22. */
const GONE_PID = 2 ** 22 + 1;

describe('the data file lock (one writer per data file)', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-lock-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("When two starts take over the same stale lock at once, then one gets it and the other is refused (the first one's lock is not deleted as stale)", async () => {
    await writeFile(`${dataFile}.lock`, JSON.stringify({ pid: GONE_PID, host: os.hostname() }));
    // The late start has read the stale owner; it is held just before removing that lock.
    let reached!: () => void;
    const atRemoval = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const removing = (file: string) => file === `${dataFile}.lock`;
    const late: Disk = {
      ...nodeDisk,
      rename: async (from, to) => (removing(from) && (reached(), await gate), nodeDisk.rename(from, to)),
      unlink: async (file) => (removing(file) && (reached(), await gate), nodeDisk.unlink(file)),
    };
    const lateStart = acquireLock(late, dataFile).then(
      (unlock) => ({ unlock }),
      (err: unknown) => ({ err }),
    );
    await atRemoval;
    const unlockFirst = await acquireLock(nodeDisk, dataFile); // the other start takes the stale lock over
    release();
    const outcome = await lateStart;
    expect('err' in outcome && outcome.err).toBeInstanceOf(StoreLoadError);
    expect(String('err' in outcome && (outcome.err as Error).message)).toMatch(
      /already in use by another Glasshouse process \(this process/,
    );
    expect(JSON.parse(await nodeDisk.readFile(`${dataFile}.lock`).then(String))).toMatchObject({ pid: process.pid });
    await unlockFirst();
    expect(await readdir(dir)).toEqual([]); // nothing left aside
  });
});
