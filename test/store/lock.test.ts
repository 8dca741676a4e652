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

  it.each([2, 3])(
    'When %d starts take over the same stale lock at once, then exactly one gets it and the others are refused (no fresh lock is deleted as stale)',
    async (starts) => {
      await writeFile(`${dataFile}.lock`, JSON.stringify({ pid: GONE_PID, host: os.hostname() }));
      // The first start has read the stale owner and is held just before removing that lock.
      let reached!: () => void;
      const atRemoval = new Promise<void>((resolve) => (reached = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const removing = (file: string) => file === `${dataFile}.lock`;
      const held: Disk = {
        ...nodeDisk,
        rename: async (from, to) => {
          if (removing(from)) {
            reached();
            await gate;
          }
          return nodeDisk.rename(from, to);
        },
        unlink: async (file) => {
          if (removing(file)) {
            reached();
            await gate;
          }
          return nodeDisk.unlink(file);
        },
      };
      const outcome = (start: Promise<() => Promise<void>>) =>
        start.then(
          (unlock) => ({ unlock }),
          (err: unknown) => ({ err }),
        );
      const first = outcome(acquireLock(held, dataFile));
      await atRemoval;
      // The others start while it is held, and meet the lock it is about to remove.
      const others = Array.from({ length: starts - 1 }, () => outcome(acquireLock(nodeDisk, dataFile)));
      await new Promise((r) => setTimeout(r, 50));
      release();
      const all = await Promise.all([first, ...others]);
      const owners = all.filter((o) => 'unlock' in o) as { unlock: () => Promise<void> }[];
      expect(owners).toHaveLength(1);
      for (const o of all.filter((o) => 'err' in o) as { err: Error }[]) {
        expect(o.err).toBeInstanceOf(StoreLoadError);
        expect(o.err.message).toMatch(/already in use by another Glasshouse process \(this process/);
      }
      await owners[0]!.unlock();
      expect(await readdir(dir)).toEqual([]); // nothing left aside: no guard, no moved lock
    },
  );

  it('When a start died leaving its temporary and moved-aside files beside the lock, then the next start sweeps them', async () => {
    const left = [`.lock.${GONE_PID}.a1.tmp`, `.lock.takeover.${GONE_PID}.b2.tmp`, `.lock.${GONE_PID}.c3.stale`];
    for (const suffix of left) await writeFile(`${dataFile}${suffix}`, '{}');
    const unlock = await acquireLock(nodeDisk, dataFile);
    expect(await readdir(dir)).toEqual(['glasshouse.json.lock']);
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });
});
