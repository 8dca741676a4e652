import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { errnoOf, syncDir, type Disk } from './disk.js';
import { StoreLoadError } from './store-errors.js';

/** What `<DATA_FILE>.lock` holds: who owns the data file; `nonce` makes each lock's text unique. */
interface LockOwner {
  pid: number;
  host: string;
  nonce?: string;
  /** When the owning process started (ms, to the second): a pid reused by a later process is told apart. */
  since?: number;
}

/** When this process started (ms since the epoch, to the second). */
const processStart = () => Math.round((Date.now() - process.uptime() * 1000) / 1000) * 1000;

/** A lock (or guard) file as read: gone, or there with its text and its owner, unless the text is not ours. */
type LockFile = { state: 'absent' } | { state: 'present'; text: string; owner?: LockOwner };

/** Tries to take the lock (a start waiting while another takes a stale lock over: 10 ms each). */
const MAX_ATTEMPTS = 200;
/** Levels of takeover guards whose holder died before a start gives up ("could not be taken"). */
const MAX_GUARD_DEPTH = 8;

const tag = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

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
 * Is this file's owner a process that still runs (or one on another host, which we cannot tell)? Our
 * own pid counts only with our own start time: a container restarted with the same hostname often
 * gives the new process the pid of the old one.
 */
function held(file: LockFile, me: LockOwner): boolean {
  if (file.state !== 'present' || file.owner === undefined) return false;
  const { pid, host, since } = file.owner;
  if (host !== me.host) return true;
  if (pid === process.pid) return since !== undefined && Math.abs(since - me.since!) <= 1000;
  return alive(pid);
}

/**
 * `file` as read. Text that is not an owner (torn, foreign) is present without an owner; so is a
 * symbolic link to nothing (its text names its target). @throws StoreLoadError when it is a folder:
 * whatever made it (a Glasshouse that locked with a folder, another program) may be using the file,
 * and its content is not ours to delete.
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
    // Gone, or a symbolic link that leads nowhere readable (to nothing, to itself, through a file).
    if (!['ENOENT', 'ELOOP', 'ENOTDIR'].includes(errnoOf(err) ?? '')) throw err;
    const target = await disk.readlink(file).catch(() => undefined);
    return target === undefined ? { state: 'absent' } : { state: 'present', text: `symbolic link to ${target}` };
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string')
      return {
        state: 'present',
        text,
        owner: { pid: owner.pid, host: owner.host, ...(typeof owner.since === 'number' ? { since: owner.since } : {}) },
      };
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
  const me: LockOwner = { pid: process.pid, host: os.hostname(), nonce: randomUUID(), since: processStart() };
  const mine = JSON.stringify(me);
  // Temporary names carry this host, pid and nonce: what a dead start left is known by them (`sweep`).
  const temp = (file: string) => `${file}.${tag(me.host, 8)}.${me.pid}.${me.nonce}.tmp`;
  await sweep(disk, lockFile, me);
  const owned = async () => {
    await syncDir(disk, path.dirname(lockFile));
    return async () => {
      const lock = await readLock(disk, lockFile).catch((): LockFile => ({ state: 'absent' }));
      if (lock.state === 'present' && lock.text === mine) await disk.unlink(lockFile).catch(() => undefined);
    };
  };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Written aside, then linked into place: the lock never exists without its owner in it.
    await disk.writeFile(temp(lockFile), mine, { flag: 'w' });
    let linked = false;
    try {
      await disk.link(temp(lockFile), lockFile);
      linked = true;
      await disk.unlink(temp(lockFile));
      return await owned();
    } catch (err) {
      await disk.unlink(temp(lockFile)).catch(() => undefined);
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
    if (await takeOver(disk, lockFile, lock.text, mine, me, temp)) {
      try {
        return await owned();
      } catch (err) {
        // Taken, then failed: not kept (as after a link).
        const now = await readLock(disk, lockFile).catch((): LockFile => ({ state: 'absent' }));
        if (now.state === 'present' && now.text === mine) await disk.unlink(lockFile).catch(() => undefined);
        throw err;
      }
    }
  }
  throw new StoreLoadError(`${path.basename(lockFile)}: could not be taken (another process keeps replacing it)`);
}

/**
 * Replaces the stale lock whose text is `stale` with ours (`mine`), one start at a time; true when
 * the lock is ours. The one start allowed is the one that creates the guard named after that text,
 * `<lock>.takeover.<hash of the text>` (by link: exclusive); under it the lock is read again and, if
 * it still has that text, replaced by ours in one rename, so its name is never free for another
 * start meanwhile (nothing is deleted by name that could be another start's). A lock with that text
 * changes only under that guard (a new lock is only linked where there is none), and the guard goes
 * once the lock's text is another. A guard whose holder died (on this host) is never deleted: the next
 * guard is named after it, one level deeper. When a live start holds the guard, waits a moment and
 * answers false (the caller reads the lock again).
 */
async function takeOver(
  disk: Disk,
  lockFile: string,
  stale: string,
  mine: string,
  me: LockOwner,
  temp: (file: string) => string,
): Promise<boolean> {
  let key = tag(stale, 16);
  for (let depth = 0; depth < MAX_GUARD_DEPTH; depth++) {
    const guard = `${lockFile}.takeover.${key}`;
    await disk.writeFile(temp(guard), JSON.stringify({ ...me, forLock: tag(stale, 16) }), { flag: 'w' });
    try {
      await disk.link(temp(guard), guard);
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') throw err;
      const holder = await readLock(disk, guard);
      if (holder.state === 'absent') return false; // just released: read the lock again
      if (held(holder, me)) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        return false;
      }
      key = tag(key + holder.text, 16); // its holder died mid-way: the next level
      continue;
    } finally {
      await disk.unlink(temp(guard)).catch(() => undefined);
    }
    try {
      const lock = await readLock(disk, lockFile);
      if (lock.state !== 'present' || lock.text !== stale) return false;
      await disk.writeFile(temp(lockFile), mine, { flag: 'w' });
      await disk.rename(temp(lockFile), lockFile);
      return true;
    } finally {
      // The lock's text is no longer `stale` (or the rename failed and this start answers with an error):
      // no holder of a guard for that text acts any more.
      await disk.unlink(temp(lockFile)).catch(() => undefined);
      await disk.unlink(guard).catch(() => undefined);
    }
  }
  return false;
}

/**
 * Deletes what starts that died on this host left beside the lock: their temporary copies (their
 * names carry host, pid and nonce), and takeover guards for a lock text that is gone (no start acts
 * under those any more). A guard for the lock's current text stays, even if its holder died: the next
 * start goes one level deeper instead.
 */
async function sweep(disk: Disk, lockFile: string, me: LockOwner): Promise<void> {
  const dir = path.dirname(lockFile);
  const base = `${path.basename(lockFile)}.`;
  const names = (await disk.readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(base));
  if (names.length === 0) return;
  // Guards are judged against the lock's text: if it cannot be read now, none is judged.
  const lock = await readLock(disk, lockFile).catch(() => undefined);
  const current = lock?.state === 'present' ? tag(lock.text, 16) : undefined;
  for (const name of names) {
    const file = path.join(dir, name);
    const tmp = /\.([0-9a-f]{8})\.(\d+)\.[0-9a-f-]+\.tmp$/.exec(name);
    if (tmp) {
      const pid = Number(tmp[2]);
      if (tmp[1] === tag(me.host, 8) && pid !== me.pid && !alive(pid)) await disk.unlink(file).catch(() => undefined);
      continue;
    }
    if (lock === undefined || !/^takeover\.[0-9a-f]{16}$/.test(name.slice(base.length))) continue;
    const guard = await readLock(disk, file).catch((): LockFile => ({ state: 'absent' }));
    let forLock: unknown;
    try {
      forLock = guard.state === 'present' ? (JSON.parse(guard.text) as { forLock?: unknown }).forLock : undefined;
    } catch {
      continue; // not a guard of ours: left as it is
    }
    if (guard.state === 'present' && !held(guard, me) && forLock !== current)
      await disk.unlink(file).catch(() => undefined);
  }
}
