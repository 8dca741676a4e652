import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { errnoOf, syncDir, type Disk } from './disk.js';
import { StoreLoadError } from './store-errors.js';

/** What `<DATA_FILE>.lock` holds: who owns the data file; `nonce` tells two locks of one pid apart. */
interface LockOwner {
  pid: number;
  host: string;
  nonce?: string;
}

const sameOwner = (a: LockOwner | undefined, b: LockOwner | undefined) =>
  a?.pid === b?.pid && a?.host === b?.host && a?.nonce === b?.nonce;

/** True while process `pid` exists (signal 0 only checks; EPERM means it exists but is not ours). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}

/**
 * The owner written in the lock file; undefined when it is gone or holds no owner (torn or foreign
 * content: not a lock of ours). @throws StoreLoadError when it is a folder: whatever made it (a
 * Glasshouse that locked with a folder, another program) may be using the file, and its content is
 * not ours to delete.
 */
async function readOwner(disk: Disk, lockFile: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse((await disk.readFile(lockFile)).toString('utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host, ...(typeof owner.nonce === 'string' ? { nonce: owner.nonce } : {}) }
      : undefined;
  } catch (err) {
    if (errnoOf(err) === 'EISDIR') {
      throw new StoreLoadError(
        `${lockFile}: a folder, not a Glasshouse lock file; left as it is. If nothing else uses the data file, remove the folder`,
      );
    }
    return undefined; // gone (ENOENT), or foreign content
  }
}

/**
 * One writer per data file (README "Data and storage"): `<real path of DATA_FILE>.lock` holds the owner's pid
 * and host. A lock whose process no longer exists on this host (SIGKILL, power cut) is taken over at
 * once; a live owner, in this process or another, is refused. The real path is used, so a symlink or
 * a relative path to the same file meets the same lock; two processes taking over the same stale lock
 * at once end with one owner (`takeOver`). Returns the release function.
 * @throws StoreLoadError when another live process holds the file.
 */
export async function acquireLock(disk: Disk, realDataFile: string): Promise<() => Promise<void>> {
  const lockFile = `${realDataFile}.lock`;
  const me: LockOwner = { pid: process.pid, host: os.hostname(), nonce: randomUUID() };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Written aside, then linked into place: the lock never exists without its owner in it.
    const temp = `${lockFile}.${me.pid}.${me.nonce}.tmp`;
    await disk.writeFile(temp, JSON.stringify(me), { flag: 'w' });
    let linked = false;
    try {
      await disk.link(temp, lockFile);
      linked = true;
      await disk.unlink(temp);
      await syncDir(disk, path.dirname(lockFile));
      return async () => {
        const owner = await readOwner(disk, lockFile).catch(() => undefined);
        if (sameOwner(owner, me)) await disk.unlink(lockFile).catch(() => undefined);
      };
    } catch (err) {
      await disk.unlink(temp).catch(() => undefined);
      if (linked) await disk.unlink(lockFile).catch(() => undefined); // taken, then failed: not kept
      if (errnoOf(err) !== 'EEXIST') throw err;
    }
    const owner = await readOwner(disk, lockFile);
    if (owner && (owner.host !== me.host || alive(owner.pid))) {
      const who =
        owner.pid === me.pid
          ? 'this process'
          : `process ${owner.pid}${owner.host === me.host ? '' : ` on ${owner.host}`}`;
      throw new StoreLoadError(
        `${realDataFile}: already in use by another Glasshouse process (${who}; one writer per data file: stop it or use another DATA_FILE)`,
      );
    }
    await takeOver(disk, lockFile, owner, me);
  }
  throw new StoreLoadError(`${path.basename(lockFile)}: could not be taken (another process keeps replacing it)`);
}

/** Tries to take the lock (a start waiting while another takes a stale lock over: 10 ms each). */
const MAX_ATTEMPTS = 200;

/**
 * Removes the stale lock `stale` (read from `lockFile`, its owner gone), under a takeover guard
 * (`<lock>.takeover`, created exclusively by link, holding its owner) so that one start at a time
 * does it: between reading the stale owner and removing it, another start may have taken the lock
 * over and put its own lock there, and deleting by name would delete that fresh lock and leave two
 * writers. Under the guard the lock is read again and removed only if it is still the stale one.
 * When the guard is held by another start, waits a moment (the caller tries again); a guard whose
 * owner died mid-way (on this host) is moved aside and checked, as a stale lock would be.
 */
async function takeOver(disk: Disk, lockFile: string, stale: LockOwner | undefined, me: LockOwner): Promise<void> {
  const guard = `${lockFile}.takeover`;
  const temp = `${guard}.${me.pid}.${me.nonce}.tmp`;
  await disk.writeFile(temp, JSON.stringify(me), { flag: 'w' });
  try {
    await disk.link(temp, guard);
  } catch (err) {
    if (errnoOf(err) !== 'EEXIST') throw err;
    const holder = await readOwner(disk, guard);
    if (!holder || (holder.host === me.host && !alive(holder.pid))) await removeIfStill(disk, guard, holder);
    else await new Promise((resolve) => setTimeout(resolve, 10));
    return;
  } finally {
    await disk.unlink(temp).catch(() => undefined);
  }
  try {
    if (sameOwner(await readOwner(disk, lockFile), stale)) await removeIfStill(disk, lockFile, stale);
  } finally {
    await disk.unlink(guard).catch(() => undefined);
  }
}

/**
 * Removes `file` if it still holds `owner`: moved aside first (rename is atomic), what was moved is
 * checked, and anything else is put back.
 */
async function removeIfStill(disk: Disk, file: string, owner: LockOwner | undefined): Promise<void> {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    await disk.rename(file, aside);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return; // already gone
    throw err;
  }
  const moved = await readOwner(disk, aside).catch(() => undefined);
  if (!sameOwner(moved, owner)) await disk.link(aside, file).catch(() => undefined); // another's: back
  await disk.unlink(aside).catch(() => undefined);
}
