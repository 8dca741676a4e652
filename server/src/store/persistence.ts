import { open, readFile, mkdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory } from 'lowdb';
import lockfile from 'proper-lockfile';
import { JSONFile } from 'lowdb/node';
import { collectionSchemas, journalOpSchema, worldSchema, type JournalOp, type World } from './schema.js';

/** The data file cannot be used: it is named, with the problem, and left untouched. */
export class StoreLoadError extends Error {
  override name = 'StoreLoadError';
}

/**
 * Where the store keeps its state. A snapshot (the whole world, lowdb) plus a journal of changes
 * appended since, so that one write costs one appended line whatever the store holds.
 */
export interface Persistence {
  /** Snapshot with the journal replayed, or `null` when nothing is stored yet. @throws StoreLoadError */
  load(): Promise<{ world: World; ops: JournalOp[] } | null>;
  /** Appends changes; resolves once they are durable (fdatasync). */
  append(ops: JournalOp[]): Promise<void>;
  /** Replaces the snapshot with `world` (atomic rename) and empties the journal. */
  compact(world: World): Promise<void>;
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
      return db.data ? { world: db.data, ops: [] } : null;
    },
    async append() {},
    async compact(world) {
      db.data = world;
      await db.write();
    },
    async close() {},
  };
}

/** `data/glasshouse.json` → `data/glasshouse.journal.jsonl`. */
export function journalPathFor(dataFile: string): string {
  const { dir, name } = path.parse(dataFile);
  return path.join(dir, `${name}.journal.jsonl`);
}

/**
 * The default store on disk: `dataFile` is the lowdb snapshot (plain, indented JSON); the journal
 * beside it holds one JSON change per line. A torn last line (crash mid-append) is ignored; any other
 * bad line refuses the start. Nothing is ever overwritten before it has been read successfully.
 */
export function filePersistence(dataFile: string): Persistence {
  const journalFile = journalPathFor(dataFile);
  const db = new Low<World | null>(new JSONFile<World | null>(dataFile), null);
  let journal: FileHandle | undefined;
  let release: (() => Promise<void>) | undefined;

  /** One writer per data file: a lock (`<DATA_FILE>.lock`, refreshed while held) before anything is read or written. */
  async function lock(): Promise<void> {
    if (release) return;
    await mkdir(path.dirname(dataFile) || '.', { recursive: true });
    try {
      release = await lockfile.lock(dataFile, { realpath: false, stale: 10_000, retries: 0, onCompromised: () => undefined });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new StoreLoadError(`${dataFile}: already in use by another Glasshouse process (one writer per data file; stop it or use another DATA_FILE)`);
      }
      throw err;
    }
  }

  async function journalHandle(): Promise<FileHandle> {
    journal ??= await open(journalFile, 'a');
    return journal;
  }

  return {
    description: `${dataFile} (+ ${path.basename(journalFile)})`,
    async load() {
      await lock();
      try {
        await db.read();
      } catch (err) {
        throw new StoreLoadError(`${dataFile}: cannot be read as JSON (${(err as Error).message})`, { cause: err });
      }
      if (db.data === null) return null;
      const parsed = worldSchema.safeParse(db.data);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        throw new StoreLoadError(`${dataFile}: not a Glasshouse data file (${issues.join('; ')})`);
      }
      return { world: parsed.data, ops: await readJournal(journalFile) };
    },
    async append(ops) {
      const handle = await journalHandle();
      await handle.appendFile(ops.map((op) => JSON.stringify(op) + '\n').join(''));
      await handle.datasync();
    },
    async compact(world) {
      await lock();
      db.data = world;
      await db.write(); // steno: write a temp file, then rename over the old one
      const written = await open(dataFile, 'r');
      await written.sync().finally(() => written.close());
      await journal?.close();
      journal = await open(journalFile, 'w'); // truncate only after the snapshot is durable
      await journal.datasync();
    },
    async close() {
      await journal?.close();
      journal = undefined;
      // Already released means the lock was taken from us (stale): nothing left to give back.
      await release?.().catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ERELEASED') throw err;
      });
      release = undefined;
    },
  };
}

async function readJournal(journalFile: string): Promise<JournalOp[]> {
  let text: string;
  try {
    text = await readFile(journalFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StoreLoadError(`${journalFile}: cannot be read (${(err as Error).message})`, { cause: err });
  }
  const lines = text.split('\n');
  const complete = text.endsWith('\n') ? lines.slice(0, -1) : lines.slice(0, -1); // last piece is '' or torn
  return complete.map((line, index) => {
    try {
      const op = journalOpSchema.parse(JSON.parse(line));
      if (op.op === 'put') collectionSchemas[op.c].parse(op.v);
      return op;
    } catch (err) {
      throw new StoreLoadError(`${journalFile}:${index + 1}: invalid journal line (${(err as Error).message.slice(0, 200)})`);
    }
  });
}
