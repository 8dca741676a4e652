import { createHash } from 'node:crypto';
import path from 'node:path';
import { errnoOf, syncDir, type Disk } from './disk.js';
import { collectionNames, worldSchema, type World } from './schema.js';
import { StoreConflictError, StoreLoadError } from './store-errors.js';

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
  const parsed = worldSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message.split('\n')[0]}`);
    throw new StoreLoadError(`${file}: not a Glasshouse data file (${issues.join('; ')})`);
  }
  for (const c of collectionNames) {
    const seen = new Set<string>();
    for (const row of parsed.data[c]) {
      if (seen.has(row.id))
        throw new StoreLoadError(`${file}: not a Glasshouse data file (${c}: duplicate id "${row.id}")`);
      seen.add(row.id);
    }
  }
  const { size, mtimeMs } = await disk.stat(file);
  return { world: parsed.data, fingerprint: { size, mtimeMs, sha256: sha256(bytes) } };
}

/** The message given when the data file was edited while Glasshouse ran. */
function editedMessage(file: string): string {
  return (
    `${file} was changed by another program since Glasshouse loaded it; it was not overwritten. ` +
    'To load your edit, stop Glasshouse and start it again (changes made since are kept in the journal beside it).'
  );
}

/**
 * Replaces the snapshot atomically: a temporary file in the same folder, fsync, rename over the
 * old one, fsync of the folder (so that a power cut cannot lose the rename). Keeps the file's mode.
 * Refused (ENOSPC) without writing anything when the disk lacks room for it plus 64 KiB.
 * @param expected the fingerprint at load / last write; when the file now differs, nothing is
 *   written. @throws StoreConflictError in that case.
 */
export async function writeSnapshot(
  disk: Disk,
  file: string,
  text: string,
  expected: Fingerprint | undefined,
): Promise<Fingerprint> {
  let mode: number | undefined;
  try {
    const now = await disk.stat(file);
    mode = now.mode & 0o7777;
    if (
      expected &&
      (now.size !== expected.size || now.mtimeMs !== expected.mtimeMs) &&
      sha256(await disk.readFile(file)) !== expected.sha256
    ) {
      throw new StoreConflictError(editedMessage(file));
    }
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
  // Never let a compaction take the room the journal's appends need: skip it on a nearly full disk.
  const needed = Buffer.byteLength(text) + SPARE_BYTES;
  const free = await disk.freeBytes(path.dirname(file) || '.');
  if (free < needed) {
    throw Object.assign(new Error(`${file}: not rewritten, ${free} bytes free and a new snapshot needs ${needed}`), {
      code: 'ENOSPC',
    });
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await disk.writeFile(temp, text, { flag: 'w', ...(mode === undefined ? {} : { mode }) });
    if (mode !== undefined) await disk.chmod(temp, mode); // the umask may have narrowed it
    const handle = await disk.open(temp, 'r');
    try {
      await disk.sync(handle);
    } finally {
      await handle.close();
    }
    await disk.rename(temp, file);
  } catch (err) {
    await disk.unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDir(disk, path.dirname(file) || '.');
  const { size, mtimeMs } = await disk.stat(file);
  return { size, mtimeMs, sha256: sha256(text) };
}
