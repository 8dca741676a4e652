import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { errnoOf, syncDir, type Disk } from './disk.js';
import { StoreLoadError } from './store-errors.js';

/** What `<DATA_FILE>.lock` holds: who owns the data file; `nonce` makes each lock's text unique. */
interface LockOwner {
  pid: number;
  host: string;
  nonce?: string;
}

/** A lock file as read: gone, or there with its text (and its owner, unless the text is not ours). */
type LockFile = { state: 'absent' } | { state: 'present'; text: string; owner?: LockOwner };

/** True while process `pid` exists (signal 0 only checks; EPERM means it exists but is not ours). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}

/** Is this lock's owner a process that still runs (or one on another host, which we cannot tell)? */
const held = (lock: LockFile, me: LockOwner): boolean =>
  lock.state === 'present' && lock.owner !== undefined && (lock.owner.host !== me.host || alive(lock.owner.pid));

/**
 * `file` as read (a lock or the takeover guard). Text that is not an owner (torn, foreign) is present
 * without an owner. @throws StoreLoadError when it is a folder: whatever made it (a Glasshouse that
 * locked with a folder, another program) may be using the file, and its content is not ours to delete.
 */
async function readLock(disk: Disk, file: string): Promise<LockFile> {
  let text: string;
  try {
    text = (await disk.readFile(file)).toString('utf8');
  } catch (err) {
    if (errnoOf(err) === 'EISDIR') {
      throw new StoreLoadError(
        `${file}: a folder, not a Glasshouse lock file; left as it is. If nothing else uses the data file, remove the folder`,
      );
    }
    if (errnoOf(err) === 'ENOENT') return { state: 'absent' };
    throw err;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string')
      return { state: 'present', text, owner: { pid: owner.pid, host: owner.host } };
  } catch {
    // not JSON: foreign or torn
  }
  return { state: 'present', text };
}

/**
 * One writer per data file (README "Data and storage"): `<real path of DATA_FILE>.lock` holds the
 * owner's pid and host. A lock whose process no longer exists on this host (SIGKILL, power cut) is
 * taken over at once, by one start at a time (`takeOver`), so several starts at once end with one
 * owner; a live owner, in this process or another, is refused. The real path is used, so a symlink or
 * a relative path to the same file meets the same lock. Returns the release function.
 * @throws StoreLoadError when another live process holds the file.
 */
export async function acquireLock(disk: Disk, realDataFile: string): Promise<() => Promise<void>> {
  const lockFile = `${realDataFile}.lock`;
  const me: LockOwner = { pid: process.pid, host: os.hostname(), nonce: randomUUID() };
  const mine = JSON.stringify(me);
  await sweepTemporaries(disk, lockFile, me);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Written aside, then linked into place: the lock never exists without its owner in it.
    const temp = `${lockFile}.${me.pid}.${me.nonce}.tmp`;
    await disk.writeFile(temp, mine, { flag: 'w' });
    let linked = false;
    try {
      await disk.link(temp, lockFile);
      linked = true;
      await disk.unlink(temp);
      await syncDir(disk, path.dirname(lockFile));
      return async () => {
        const lock = await readLock(disk, lockFile).catch((): LockFile => ({ state: 'absent' }));
        if (lock.state === 'present' && lock.text === mine) await disk.unlink(lockFile).catch(() => undefined);
      };
    } catch (err) {
      await disk.unlink(temp).catch(() => undefined);
      if (linked) await disk.unlink(lockFile).catch(() => undefined); // taken, then failed: not kept
      if (errnoOf(err) !== 'EEXIST') throw err;
    }
    const lock = await readLock(disk, lockFile);
    if (lock.state === 'absent') continue; // gone meanwhile: link ours again
    if (held(lock, me)) {
      const owner = lock.owner!;
      const who =
        owner.pid === me.pid
          ? 'this process'
          : `process ${owner.pid}${owner.host === me.host ? '' : ` on ${owner.host}`}`;
      throw new StoreLoadError(
        `${realDataFile}: already in use by another Glasshouse process (${who}; one writer per data file: stop it or use another DATA_FILE)`,
      );
    }
    await takeOver(disk, lockFile, lock.text, me);
  }
  throw new StoreLoadError(`${path.basename(lockFile)}: could not be taken (another process keeps replacing it)`);
}

/** Tries to take the lock (a start waiting while another takes a stale lock over: 10 ms each). */
const MAX_ATTEMPTS = 200;

/**
 * Removes the stale lock whose text is `stale`, under a takeover guard (`<lock>.takeover`, created
 * exclusively by link, holding its owner) so that one start at a time does it: between reading the
 * stale lock and removing it, another start may have taken the lock over and put its own there, and
 * deleting by name would delete that fresh lock and leave two writers. Under the guard the lock is read
 * again and removed only if it is still there with the same text (a new lock is only ever linked where
 * there is none, so none can appear meanwhile). When another start holds the guard, waits a moment
 * (the caller tries again); a guard whose owner died mid-way (on this host) is removed the same way.
 */
async function takeOver(disk: Disk, lockFile: string, stale: string, me: LockOwner): Promise<void> {
  const guard = `${lockFile}.takeover`;
  const temp = `${guard}.${me.pid}.${me.nonce}.tmp`;
  await disk.writeFile(temp, JSON.stringify(me), { flag: 'w' });
  try {
    await disk.link(temp, guard);
  } catch (err) {
    if (errnoOf(err) !== 'EEXIST') throw err;
    const holder = await readLock(disk, guard);
    if (holder.state === 'present' && !held(holder, me)) await removeIfStill(disk, guard, holder.text);
    else if (holder.state === 'present') await new Promise((resolve) => setTimeout(resolve, 10));
    return;
  } finally {
    await disk.unlink(temp).catch(() => undefined);
  }
  try {
    const lock = await readLock(disk, lockFile);
    if (lock.state === 'present' && lock.text === stale) await removeIfStill(disk, lockFile, stale);
  } finally {
    await disk.unlink(guard).catch(() => undefined);
  }
}

/**
 * Removes `file` if its text is still `text`: moved aside first (rename is atomic), what was moved is
 * compared, and anything else is put back.
 */
async function removeIfStill(disk: Disk, file: string, text: string): Promise<void> {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    await disk.rename(file, aside);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return; // already gone
    throw err;
  }
  const moved = await readLock(disk, aside).catch((): LockFile => ({ state: 'absent' }));
  if (moved.state === 'present' && moved.text !== text) await disk.link(aside, file).catch(() => undefined);
  await disk.unlink(aside).catch(() => undefined);
}

/**
 * Deletes what a start that died on this host left beside the lock: its temporary copies
 * (`<lock>.<pid>.<nonce>.tmp`, `<lock>.takeover.<pid>.<nonce>.tmp`) and locks it had moved aside
 * (`<lock>.<pid>.<uuid>.stale`), when their process no longer runs.
 */
async function sweepTemporaries(disk: Disk, lockFile: string, me: LockOwner): Promise<void> {
  const dir = path.dirname(lockFile);
  const base = path.basename(lockFile);
  const names = await disk.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^\.?(?:takeover\.)?(\d+)\.[^.]+\.(?:tmp|stale)$/.exec(name.slice(base.length));
    if (!name.startsWith(`${base}.`) || !match) continue;
    const pid = Number(match[1]);
    if (pid !== me.pid && !alive(pid)) await disk.unlink(path.join(dir, name)).catch(() => undefined);
  }
}
