import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { z } from 'zod';
import { errnoOf, syncDir, type Disk } from './disk.js';
import { journalLineSchema, rowSchema, type JournalOp } from './schema.js';
import { StoreLoadError } from './store-errors.js';
import { issueLine } from '../issue-message.js';

/**
 * `data/glasshouse.json` → `data/glasshouse.journal.jsonl` (segment 0). While a background compaction
 * runs, new changes go to the next segment (`glasshouse.journal.1.jsonl`…); load replays every segment
 * in order (README "Data and storage").
 */
export function journalPathFor(dataFile: string, segment = 0): string {
  const { dir, name } = path.parse(dataFile);
  return path.join(dir, segment === 0 ? `${name}.journal.jsonl` : `${name}.journal.${segment}.jsonl`);
}

/** The journal segments beside `dataFile`, oldest first. */
export async function journalSegments(disk: Disk, dataFile: string): Promise<{ segment: number; file: string }[]> {
  const { dir, name } = path.parse(dataFile);
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.journal(?:\\.(\\d+))?\\.jsonl$`);
  const found: { segment: number; file: string }[] = [];
  for (const entry of await disk.readdir(dir || '.')) {
    const m = pattern.exec(entry);
    if (m) found.push({ segment: m[1] ? Number(m[1]) : 0, file: path.join(dir, entry) });
  }
  return found.sort((a, b) => a.segment - b.segment);
}

/** First zod issue about `input` as `field: message`, one line (`issueLine`). */
export function firstIssue(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  return issue ? issueLine(issue, input) : 'invalid';
}

/**
 * The changes of one segment. Its last line may be torn (a crash mid-append) and is ignored; any
 * other bad line refuses the start, naming file, line and field. `wholeBytes` is where the last
 * complete line ends.
 */
export async function readSegment(
  disk: Disk,
  file: string,
): Promise<{ ops: JournalOp[]; wholeBytes: number; size: number }> {
  let text: string;
  try {
    text = (await disk.readFile(file)).toString('utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return { ops: [], wholeBytes: 0, size: 0 };
    throw new StoreLoadError(`${file}: cannot be read (${(err as Error).message})`, { cause: err });
  }
  const end = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, end).split('\n').slice(0, -1);
  const ops = lines.flatMap((line, index) => {
    const where = `${file}:${index + 1}: invalid journal line`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new StoreLoadError(`${where} (not JSON)`);
    }
    const parsed = journalLineSchema.safeParse(json);
    if (!parsed.success) throw new StoreLoadError(`${where} (${firstIssue(parsed.error, json)})`);
    const lineOps = parsed.data.op === 'all' ? parsed.data.ops : [parsed.data];
    for (const op of lineOps) {
      if (op.op !== 'put') continue;
      const row = rowSchema(op.c).safeParse(op.v);
      if (!row.success)
        throw new StoreLoadError(`${where} (${op.c} ${String(op.v['id'] ?? '?')}: ${firstIssue(row.error, op.v)})`);
    }
    return lineOps;
  });
  return { ops, wholeBytes: Buffer.byteLength(text.slice(0, end)), size: Buffer.byteLength(text) };
}

/**
 * Appends to one journal segment. After a failed append or fsync the segment is truncated back to
 * its last whole line before anything else is appended (retried first thing on the next append), so
 * the only torn line that can exist is the last one.
 */
export class JournalWriter {
  #handle: FileHandle | undefined;
  /** Bytes known to be whole and durable. */
  #size: number;
  /** The file may hold bytes past `#size` (a failed append not yet truncated). */
  #dirty: boolean;
  /** Appends and renames run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly disk: Disk,
    public file: string,
    size = 0,
    dirty = false,
  ) {
    this.#size = size;
    this.#dirty = dirty;
  }

  get size(): number {
    return this.#size;
  }

  append(text: string): Promise<void> {
    const run = this.#queue.then(() => this.#append(text));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Renames the segment (kept open: appends go on into the same file under its new name). */
  relocate(to: string): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#handle) await this.disk.rename(this.file, to);
      this.file = to;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #append(text: string): Promise<void> {
    if (!this.#handle) {
      const created = this.#size === 0 && !this.#dirty;
      this.#handle = await this.disk.open(this.file, 'a');
      if (created) await syncDir(this.disk, path.dirname(this.file) || '.');
    }
    const handle = this.#handle;
    if (this.#dirty) await this.#truncate(handle);
    this.#dirty = true;
    try {
      await this.disk.write(handle, text);
      await this.disk.sync(handle, true);
    } catch (err) {
      await this.#truncate(handle).catch(() => undefined); // retried before the next append if it fails too
      throw err;
    }
    this.#dirty = false;
    this.#size += Buffer.byteLength(text);
  }

  async #truncate(handle: FileHandle): Promise<void> {
    await this.disk.truncate(handle, this.#size);
    await this.disk.sync(handle, true);
    this.#dirty = false;
  }

  /** Best effort: drops a torn tail, then closes. */
  async close(): Promise<void> {
    await this.#queue;
    const handle = this.#handle;
    this.#handle = undefined;
    if (!handle) return;
    if (this.#dirty) await this.#truncate(handle).catch(() => undefined);
    await handle.close();
  }
}
