import { createHash } from 'node:crypto';
import path from 'node:path';
import { errnoOf, type Disk } from './disk.js';
import { worldSchema, type World } from './schema.js';
import { snapshotSlices } from './snapshot-text.js';
import { StoreConflictError, StoreLoadError } from './store-errors.js';
import { worldProblem } from './world-problem.js';
import { issueLine } from '../issue-message.js';

/** What the data file looked like when we last read or wrote it: to notice edits made meanwhile. */
export interface Fingerprint {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** Room left for journal appends while a new snapshot is written beside the old one. */
const SPARE_BYTES = 64 * 1024;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Reads and validates the snapshot. `null` when the file does not exist (the caller seeds it); any
 * other unusable content (not JSON, JSON `null`, another shape, a duplicate id) refuses the start
 * with one line naming the file and the problem.
 */
export async function readSnapshot(
  disk: Disk,
  file: string,
): Promise<{ world: World; fingerprint: Fingerprint } | null> {
  let bytes: Buffer;
  try {
    bytes = await disk.readFile(file);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw new StoreLoadError(`${file}: cannot be read (${errnoOf(err) ?? (err as Error).message})`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new StoreLoadError(`${file}: cannot be read as JSON (${(err as Error).message})`, { cause: err });
  }
  const world = validWorld(json, file);
  const { size, mtimeMs } = await disk.stat(file);
  return { world, fingerprint: { size, mtimeMs, sha256: sha256(bytes) } };
}

/**
 * `json` as a World: the data file's schema (shapes, text, times), then the whole-world checks
 * (`worldProblem`: no duplicate id, no username taken twice but for case, no reference to a row that
 * does not exist). Also for worlds that come from code (a sandbox's `world`, the seed), held to the
 * same rules.
 * @throws StoreLoadError `${source}: not a Glasshouse data file (…)`, one line, first problems first.
 */
export function validWorld(json: unknown, source: string): World {
  const parsed = worldSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => issueLine(i, json));
    throw new StoreLoadError(`${source}: not a Glasshouse data file (${issues.join('; ')})`);
  }
  const problem = worldProblem(parsed.data);
  if (problem) throw new StoreLoadError(`${source}: not a Glasshouse data file (${problem})`);
  return parsed.data;
}

/** The message given when the data file was edited while Glasshouse ran. */
function editedMessage(file: string): string {
  return (
    `${file} was changed by another program since Glasshouse loaded it; it was not overwritten. ` +
    'To load your edit, stop Glasshouse and start it again (changes made since are kept in the journal beside it).'
  );
}

/**
 * The mode of `file` (undefined when it does not exist yet).
 * @throws StoreConflictError when it differs from `expected` (edited by another program).
 */
async function checkUnchanged(
  disk: Disk,
  file: string,
  expected: Fingerprint | undefined,
): Promise<number | undefined> {
  try {
    const now = await disk.stat(file);
    if (
      expected &&
      (now.size !== expected.size || now.mtimeMs !== expected.mtimeMs) &&
      sha256(await disk.readFile(file)) !== expected.sha256
    ) {
      throw new StoreConflictError(editedMessage(file));
    }
    return now.mode & 0o7777;
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
    return undefined;
  }
}

/** ENOSPC unless `dir` has `needed` bytes free. */
async function ensureRoom(disk: Disk, file: string, needed: number): Promise<void> {
  const free = await disk.freeBytes(path.dirname(file) || '.');
  if (free < needed) {
    throw Object.assign(new Error(`${file}: not rewritten, ${free} bytes free and a new snapshot needs ${needed}`), {
      code: 'ENOSPC',
    });
  }
}

/**
 * While a snapshot is written, its data is flushed every this many bytes, as Redis does with
 * `aof-rewrite-incremental-fsync` (4 MB): one fsync of the whole file at the end would queue the
 * journal's fdatasyncs behind a large write-back, a latency spike for every acknowledged write.
 */
const SYNC_STEP_BYTES = 4 * 1024 * 1024;

/** Lets timers, sockets and appends run between two slices of a snapshot. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Replaces the snapshot atomically: a temporary file in the same folder, fsync, rename over the
 * old one; the rename is the last step (the commit point), and the caller fsyncs the folder after it
 * (so that a power cut cannot lose the rename). Keeps the file's mode. Resolves with the new file's
 * fingerprint; on any failure nothing was replaced (the temporary file is removed).
 * The text is serialized, written and hashed slice by slice (`snapshotSlices`), yielding to the event
 * loop between slices, so that the pause it causes does not grow with the world; its data is flushed
 * every 4 MiB on the way, then fsynced.
 * Never takes the room journal appends need: refused (ENOSPC) without writing anything when the disk
 * lacks `estimatedBytes` plus 64 KiB, and, past the estimate, before each further slice unless the
 * slice plus 64 KiB is free (the temporary file is then removed).
 * @param expected the fingerprint at load / last write; when the file differs from it (checked
 *   before writing and again before the rename), nothing is replaced. @throws StoreConflictError then.
 */
export async function writeSnapshot(
  disk: Disk,
  file: string,
  world: World,
  expected: Fingerprint | undefined,
  estimatedBytes = 0,
): Promise<Fingerprint> {
  const mode = await checkUnchanged(disk, file, expected);
  await ensureRoom(disk, file, estimatedBytes + SPARE_BYTES);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const hash = createHash('sha256');
  try {
    const handle = await disk.open(temp, 'w', mode);
    try {
      if (mode !== undefined) await disk.chmod(temp, mode); // the umask may have narrowed it
      let written = 0;
      let synced = 0;
      for (const slice of snapshotSlices(world)) {
        const bytes = Buffer.byteLength(slice);
        if (written + bytes > estimatedBytes) await ensureRoom(disk, file, bytes + SPARE_BYTES);
        hash.update(slice);
        await disk.write(handle, slice);
        written += bytes;
        if (written - synced >= SYNC_STEP_BYTES) {
          await disk.sync(handle, true);
          synced = written;
        }
        await turn();
      }
      await disk.sync(handle);
    } finally {
      await handle.close();
    }
    const { size, mtimeMs } = await disk.stat(temp); // a rename keeps the mtime
    await checkUnchanged(disk, file, expected); // an edit made while we wrote wins too
    await disk.rename(temp, file);
    return { size, mtimeMs, sha256: hash.digest('hex') };
  } catch (err) {
    await disk.unlink(temp).catch(() => undefined);
    throw err;
  }
}
