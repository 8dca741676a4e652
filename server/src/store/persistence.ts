import path from 'node:path';
import { Low, Memory } from 'lowdb';
import { errnoOf, nodeDisk, syncDir, type Disk } from './disk.js';
import { JournalWriter, journalPathFor, journalSegments, readSegment } from './journal.js';
import { acquireLock } from './lock.js';
import type { JournalLine, JournalOp, World } from './schema.js';
import { readSnapshot, writeSnapshot, type Fingerprint } from './snapshot-file.js';
import { AfterRenameError, StoreLoadError } from './store-errors.js';

export { AfterRenameError, StoreLoadError, StoreWriteError, StoreConflictError } from './store-errors.js';
export { journalPathFor } from './journal.js';

/** What a persistence holds at start. */
export interface Loaded {
  world: World;
  /** Journaled changes to replay on `world`, oldest first. */
  ops: JournalOp[];
  /** The journal holds anything (changes, a torn tail, several segments): fold it at start. */
  needsCompaction: boolean;
  /** Where `world` was read from, for messages (the data file). */
  source: string;
}

/**
 * Where the store keeps its state: a snapshot (the whole world) plus a journal of changes appended
 * since, so that one write costs one appended line whatever the store holds (README "Data and storage").
 */
export interface Persistence {
  /**
   * Snapshot with its journal, or `null` when nothing is stored yet (no data file and no journal).
   * @throws StoreLoadError when the data is unusable, or a journal is there without its data file.
   */
  load(): Promise<Loaded | null>;
  /** Appends changes, one line each; resolves once they are durable (fsync). Rejects with the file-system error. */
  append(lines: JournalLine[]): Promise<void>;
  /**
   * Makes `world` the snapshot and drops the journal it covers. Call it when no append is in flight,
   * with `world` = exactly what is durable: appends made after the call (while it runs) go to a new
   * journal segment, so compaction never stops writes. @throws StoreConflictError if the data file
   * was edited by another program since it was loaded.
   */
  compact(world: World): Promise<void>;
  /**
   * Makes `world` the whole stored state (a reset), all or nothing. Call it with no append in flight
   * and none until it settles. Changes still in the journal are first folded into the snapshot
   * (`durable()`: exactly what is durable), so that they cannot be replayed on top of `world` and
   * the rename of `world`'s snapshot over the data file is the one commit point.
   * @throws AfterRenameError when a step after that rename failed (`world` is in place, its
   *   durability not confirmed); any other error: nothing was replaced (StoreConflictError, or the
   *   file-system error).
   */
  replace(world: World, durable: () => World): Promise<void>;
  /** Bytes appended to the journal since the last compaction. */
  journalBytes(): number;
  /** Size in bytes of the snapshot as last read or written (0 when none): scales the compaction threshold. */
  snapshotBytes(): number;
  close(): Promise<void>;
  /** Files used, for messages to the person running it. */
  readonly description: string;
}

/** lowdb's in-memory adapter: nothing touches the disk (tests, sandboxes). */
export function memoryPersistence(): Persistence {
  const db = new Low<World | null>(new Memory<World | null>(), null);
  return {
    description: 'in memory',
    async load() {
      await db.read();
      return db.data ? { world: db.data, ops: [], needsCompaction: false, source: 'in memory' } : null;
    },
    async append() {},
    async compact(world) {
      db.data = world;
      await db.write();
    },
    async replace(world) {
      db.data = world;
      await db.write();
    },
    journalBytes: () => 0,
    snapshotBytes: () => 0,
    async close() {},
  };
}

/**
 * The real path of `file` (which may not exist yet): symlinks and relative paths resolved. A link
 * to a file that does not exist yet resolves to its target, so that the file is created there and
 * the link kept (README "Data and storage").
 * @throws StoreLoadError when a link's target is in a folder that does not exist.
 */
async function realPathOf(disk: Disk, file: string): Promise<string> {
  let current = file;
  for (let hops = 0; hops < 40; hops++) {
    try {
      return await disk.realpath(current);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw err;
    }
    let target: string;
    try {
      target = await disk.readlink(current);
    } catch (err) {
      if (errnoOf(err) !== 'EINVAL' && errnoOf(err) !== 'ENOENT') throw err;
      // Not a link: a new file in an existing folder.
      const folder = await disk.realpath(path.dirname(current) || '.').catch((e: unknown) => {
        if (current === file || errnoOf(e) !== 'ENOENT') throw e;
        throw new StoreLoadError(`${file}: a symbolic link to ${current}, in a folder that does not exist`);
      });
      return path.join(folder, path.basename(current));
    }
    current = path.resolve(path.dirname(current), target);
  }
  throw Object.assign(new Error(`${file}: too many levels of symbolic links`), { code: 'ELOOP' });
}

/**
 * The default store on disk: `dataFile` is the snapshot (plain JSON, one row per line); the journal beside
 * it holds one JSON change per line. One writer per data file (a lock judged by whether its owner
 * lives). Nothing is ever overwritten before it has been read successfully. `disk` is swapped in
 * tests to inject failures.
 */
export function filePersistence(dataFile: string, disk: Disk = nodeDisk): Persistence {
  let real: string | undefined;
  let release: (() => Promise<void>) | undefined;
  let writer: JournalWriter | undefined;
  let segment = 0;
  let fingerprint: Fingerprint | undefined;

  async function lock(): Promise<string> {
    if (real) return real;
    try {
      await disk.mkdir(path.dirname(dataFile) || '.');
      const resolved = await realPathOf(disk, dataFile);
      release = await acquireLock(disk, resolved);
      real = resolved;
      return resolved;
    } catch (err) {
      if (err instanceof StoreLoadError) throw err;
      throw new StoreLoadError(
        `${dataFile}: cannot be opened for writing (${errnoOf(err) ?? (err as Error).message})`,
        { cause: err },
      );
    }
  }

  async function compact(world: World): Promise<void> {
    // `world` is what is durable at this call, as arrays of row references. The journal is rotated
    // now, before any await: the old segments hold exactly what `world` covers. It is serialized
    // later, slice by slice, while appends go on, and is still exactly `world`: rows are replaced on
    // put, never mutated in place (Table), so later changes touch the tables, not what is held here.
    const previous = writer;
    const next = segment + 1;
    const file = real ?? (await lock());
    segment = next;
    writer = new JournalWriter(disk, journalPathFor(file, next));
    // Upper bound of the new snapshot: the old one plus every change folded into it.
    const estimate = (fingerprint?.size ?? 0) + (previous?.size ?? 0);
    await previous?.close();
    fingerprint = await writeSnapshot(disk, file, world, fingerprint, estimate);
    // The rename is done: from here on a failure cannot take it back (AfterRenameError).
    try {
      const dir = path.dirname(file) || '.';
      await syncDir(disk, dir); // before the older segments go, so that a power cut cannot lose the rename
      for (const s of await journalSegments(disk, file))
        if (s.segment < next) await disk.unlink(s.file).catch(() => undefined);
      if (segment === next) {
        await writer.relocate(journalPathFor(file, 0)); // back to the plain name; nothing older is left
        segment = 0;
      }
      await syncDir(disk, dir);
    } catch (err) {
      throw new AfterRenameError(err);
    }
  }

  /** The journal segments of `file` that hold bytes (a change, or a torn tail). */
  async function segmentsHolding(file: string): Promise<string[]> {
    const holding: string[] = [];
    for (const s of await journalSegments(disk, file)) {
      const size = await disk.stat(s.file).then(
        (st) => st.size,
        (err: unknown) => (errnoOf(err) === 'ENOENT' ? 0 : Promise.reject(err)),
      );
      if (size > 0) holding.push(s.file);
    }
    return holding;
  }

  return {
    description: `${dataFile} (+ ${path.basename(journalPathFor(dataFile))})`,
    async load() {
      const file = await lock();
      const snapshot = await readSnapshot(disk, file);
      if (!snapshot) {
        // Seeding would drop them (the first compaction removes every older segment): say so instead.
        const orphans = await journalSegments(disk, file);
        if (orphans.length > 0) {
          throw new StoreLoadError(
            `${dataFile}: missing, but its journal is there (${orphans.map((s) => s.file).join(', ')}): ` +
              'not starting from the seed, which would drop it. Put the data file back, or move the journal away to start from the seed',
          );
        }
        return null;
      }
      fingerprint = snapshot.fingerprint;
      const ops: JournalOp[] = [];
      let needsCompaction = false;
      const segments = await journalSegments(disk, file);
      for (const s of segments) {
        const read = await readSegment(disk, s.file);
        ops.push(...read.ops);
        if (read.size > 0 || s.segment !== 0) needsCompaction = true;
        segment = s.segment;
        writer = new JournalWriter(disk, s.file, read.wholeBytes, read.size > read.wholeBytes);
      }
      return { world: snapshot.world, ops, needsCompaction, source: file };
    },
    async append(lines) {
      writer ??= new JournalWriter(disk, journalPathFor(await lock(), segment));
      await writer.append(lines.map((line) => JSON.stringify(line) + '\n').join(''));
    },
    compact,
    async replace(world, durable) {
      const file = real ?? (await lock());
      // Changes made before the reset must not be replayed on top of it: fold them first (an ordinary
      // compaction: invisible whatever happens), so that nothing is left to drop after the rename.
      if ((await segmentsHolding(file)).length > 0) {
        await compact(durable()).catch((err: unknown) => {
          throw err instanceof AfterRenameError ? err.cause : err;
        });
      }
      const left = await segmentsHolding(file);
      if (left.length > 0) throw new Error(`${left[0]}: still holds changes after they were folded`);
      await compact(world);
    },
    journalBytes: () => writer?.size ?? 0,
    snapshotBytes: () => fingerprint?.size ?? 0,
    async close() {
      await writer?.close();
      writer = undefined;
      await release?.();
      release = undefined;
      real = undefined;
    },
  };
}
