import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { nodeDisk, type Disk } from '../../server/src/store/disk.js';
import { acquireLock } from '../../server/src/store/lock.js';
import { StoreLoadError } from '../../server/src/store/store-errors.js';

/** A pid no process has: the highest pid Linux hands out is 2^22. */
const GONE_PID = 2 ** 22 + 1;
const hex = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);
const STALE = JSON.stringify({ pid: GONE_PID, host: os.hostname() });

type Outcome = { unlock: () => Promise<void> } | { err: Error };
const outcome = (start: Promise<() => Promise<void>>): Promise<Outcome> =>
  start.then(
    (unlock) => ({ unlock }),
    (err: Error) => ({ err }),
  );

describe('the data file lock (one writer per data file)', () => {
  let dir: string;
  let dataFile: string;
  let lockFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-lock-'));
    dataFile = path.join(dir, 'glasshouse.json');
    lockFile = `${dataFile}.lock`;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A disk whose first call touching the lock file (`when`) waits for `release()`; `reached` once it waits. */
  function heldDisk(when: (op: 'rename' | 'unlink', from: string, to?: string) => boolean) {
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let once = false;
    const pause = async (hit: boolean) => {
      if (!hit || once) return;
      once = true;
      reached();
      await gate;
    };
    const disk: Disk = {
      ...nodeDisk,
      rename: async (from, to) => (await pause(when('rename', from, to)), nodeDisk.rename(from, to)),
      unlink: async (file) => (await pause(when('unlink', file)), nodeDisk.unlink(file)),
    };
    return { disk, atGate, release };
  }

  /** Exactly one start holds the lock, the others are refused as "in use", and nothing is left once it lets go. */
  async function oneOwner(all: Outcome[]) {
    const owners = all.filter((o): o is { unlock: () => Promise<void> } => 'unlock' in o);
    expect(owners).toHaveLength(1);
    for (const o of all.filter((o): o is { err: Error } => 'err' in o)) {
      expect(o.err).toBeInstanceOf(StoreLoadError);
      expect(o.err.message).toMatch(/already in use by another Glasshouse process \(this process/);
    }
    await owners[0]!.unlock();
    expect((await readdir(dir)).filter((n) => !n.startsWith('glasshouse.json.lock.takeover.'))).toEqual([]);
  }

  it.each([2, 3, 4])(
    'When %d starts take over the same stale lock at once, then exactly one gets it and the others are refused',
    async (starts) => {
      await writeFile(lockFile, STALE);
      // The first start is held just as it replaces the stale lock (under its takeover guard).
      const first = heldDisk((op, from, to) => op === 'rename' && to === lockFile && from !== lockFile);
      const firstStart = outcome(acquireLock(first.disk, dataFile));
      await first.atGate;
      const others = Array.from({ length: starts - 1 }, () => outcome(acquireLock(nodeDisk, dataFile)));
      await new Promise((r) => setTimeout(r, 50));
      first.release();
      await oneOwner(await Promise.all([firstStart, ...others]));
    },
  );

  it('When a start died holding the takeover guard of a stale lock and three starts come at once, then exactly one gets the lock', async () => {
    await writeFile(lockFile, STALE);
    await writeFile(
      `${lockFile}.takeover.${hex(STALE, 16)}`,
      JSON.stringify({ pid: GONE_PID, host: os.hostname(), forLock: hex(STALE, 16) }),
    );
    const first = heldDisk((op, from, to) => op === 'rename' && to === lockFile && from !== lockFile);
    const firstStart = outcome(acquireLock(first.disk, dataFile));
    await first.atGate;
    const others = [outcome(acquireLock(nodeDisk, dataFile)), outcome(acquireLock(nodeDisk, dataFile))];
    await new Promise((r) => setTimeout(r, 50));
    first.release();
    await oneOwner(await Promise.all([firstStart, ...others]));
  });

  it('When the lock is a symbolic link to nothing, then it is taken over (the link replaced, its target untouched)', async () => {
    await symlink(path.join(dir, 'nowhere'), lockFile);
    const unlock = await acquireLock(nodeDisk, dataFile);
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it('When a start died leaving its temporaries and a takeover guard for a lock that is gone, then the next start sweeps them', async () => {
    const host = hex(os.hostname(), 8);
    const left = [
      `.lock.${host}.${GONE_PID}.0f0f0f0f-0000-4000-8000-000000000000.tmp`,
      `.lock.takeover.${hex('gone', 16)}.${host}.${GONE_PID}.0f0f0f0f-0000-4000-8000-000000000001.tmp`,
    ];
    for (const suffix of left) await writeFile(`${dataFile}${suffix}`, '{}');
    await writeFile(
      `${lockFile}.takeover.${hex('gone', 16)}`,
      JSON.stringify({ pid: GONE_PID, host: os.hostname(), forLock: hex('gone', 16) }),
    );
    const unlock = await acquireLock(nodeDisk, dataFile);
    expect(await readdir(dir)).toEqual(['glasshouse.json.lock']);
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it('When the lock (or its takeover guard) was left by an earlier process that had our pid, then it is taken over', async () => {
    // A container restarted with the same hostname: the new process often gets the old one's pid.
    const earlier = JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: 'old', since: 0 });
    await writeFile(lockFile, earlier);
    await writeFile(
      `${lockFile}.takeover.${hex(earlier, 16)}`,
      JSON.stringify({ pid: process.pid, host: os.hostname(), since: 0, forLock: hex(earlier, 16) }),
    );
    const unlock = await acquireLock(nodeDisk, dataFile);
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
    await expect(acquireLock(nodeDisk, dataFile)).rejects.toThrow(/\(this process/); // ours now: held
    await unlock();
  });

  it('When the lock is a symbolic link to itself, then it is taken over', async () => {
    await symlink(lockFile, lockFile);
    const unlock = await acquireLock(nodeDisk, dataFile);
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it('When the folder cannot be synced after a takeover, then the start fails and leaves no lock of its own', async () => {
    await writeFile(lockFile, STALE);
    const failing: Disk = {
      ...nodeDisk,
      open: async (file, flags, mode) => {
        if (file === dir) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        return nodeDisk.open(file, flags, mode);
      },
    };
    await expect(acquireLock(failing, dataFile)).rejects.toThrow('EIO');
    const unlock = await acquireLock(nodeDisk, dataFile); // nothing of the failed start holds it
    await unlock();
  });

  it('When the lock cannot be read while a start sweeps, then no takeover guard is swept (a dead guard for the current lock must stay)', async () => {
    await writeFile(lockFile, STALE);
    const dead = `${lockFile}.takeover.${hex(STALE, 16)}`;
    await writeFile(dead, JSON.stringify({ pid: GONE_PID, host: os.hostname(), forLock: hex(STALE, 16) }));
    let first = true;
    const flaky: Disk = {
      ...nodeDisk,
      readFile: async (file) => {
        if (file === lockFile && first) {
          first = false;
          throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
        }
        return nodeDisk.readFile(file);
      },
    };
    const unlock = await acquireLock(flaky, dataFile);
    expect(await readdir(dir)).toContain(path.basename(dead));
    await unlock();
  });
});
