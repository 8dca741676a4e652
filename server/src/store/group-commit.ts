import type { Persistence } from './persistence.js';
import type { JournalLine, JournalOp, World } from './schema.js';
import { StoreWriteError } from './store-errors.js';

/** One row change applied in memory; `before` undoes it. */
export interface RowChange {
  op: JournalOp;
  /** The row it replaced or deleted, with its insertion sequence; undefined when it added a row. */
  before: { row: { id: string }; seq: number } | undefined;
}

/** Row changes that are durable together or not at all (one journal line). */
export interface Change {
  rows: RowChange[];
}

const lineOf = ({ rows }: Change): JournalLine =>
  rows.length === 1 ? rows[0]!.op : { op: 'all', ops: rows.map((r) => r.op) };

interface Waiting extends Change {
  resolve(): void;
  reject(err: unknown): void;
}

/** Background compaction (README "Data and storage"). */
export interface StoreOptions {
  /**
   * Compact in the background once the journal passes this many bytes or the last snapshot's size,
   * whichever is larger (README "Data and storage"; default: never).
   */
  compactAfterBytes?: number;
  /** Told when a background compaction fails (it is tried again once the journal grows by as much again). */
  onBackgroundError?: (err: unknown) => void;
}

export interface GroupCommitHooks {
  /** Undoes one row change in memory (called newest first). */
  undo(change: RowChange): void;
  /** The world as it is on disk: memory with `notYetDurable` undone (newest first). */
  durableWorld(notYetDurable: readonly RowChange[]): World;
}

/**
 * The store's one writer (README "Data and storage"). Changes made while a write is in flight go out
 * together in the next one (group commit). When a write fails, every change of that batch and every
 * change queued after it rejects with StoreWriteError and is undone in memory, newest first, so
 * memory equals the disk again and nothing refused is ever written later. Compactions run between
 * batches and in the background: appends go on meanwhile.
 */
export class GroupCommit {
  #pending: Waiting[] = [];
  #running = false;
  #idle: Promise<void> = Promise.resolve();
  #markIdle: () => void = () => undefined;
  #compactWaiters: { resolve(): void; reject(err: unknown): void }[] = [];
  #compacting: Promise<void> | undefined;

  constructor(
    private readonly persistence: Persistence,
    private readonly hooks: GroupCommitHooks,
    private readonly options: StoreOptions = {},
  ) {}

  /** Queues an already applied change; resolves once durable. @throws StoreWriteError */
  submit(change: Change): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ ...change, resolve, reject });
      this.#kick();
    });
  }

  /** Resolves once every change submitted so far is settled (durable or refused) and no compaction runs. */
  async flush(): Promise<void> {
    while (this.#running || this.#compacting) {
      await this.#idle;
      await this.#compacting?.catch(() => undefined);
    }
  }

  /** Writes a new snapshot of what is durable; appends continue meanwhile. */
  compact(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#compactWaiters.push({ resolve, reject });
      this.#kick();
    });
  }

  get compacting(): boolean {
    return this.#compacting !== undefined;
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    this.#idle = new Promise((resolve) => (this.#markIdle = resolve));
    queueMicrotask(() => void this.#run()); // same-tick changes join the first batch
  }

  async #run(): Promise<void> {
    for (;;) {
      if (this.#compactWaiters.length > 0 && !this.#compacting) this.#startCompaction();
      if (this.#pending.length === 0) break;
      const batch = this.#pending;
      this.#pending = [];
      try {
        await this.persistence.append(batch.map(lineOf));
        for (const c of batch) c.resolve();
        this.#compactIfLarge();
      } catch (err) {
        const refused = [...batch, ...this.#pending];
        this.#pending = [];
        for (const row of refused.flatMap((c) => c.rows).reverse()) this.hooks.undo(row);
        const error = err instanceof StoreWriteError ? err : new StoreWriteError(err);
        for (const c of refused) c.reject(error);
      }
    }
    this.#running = false;
    this.#markIdle();
  }

  #compactIfLarge(): void {
    const floor = this.options.compactAfterBytes;
    if (floor === undefined || this.#compacting || this.#compactWaiters.length > 0) return;
    // Proportional, like Redis' auto-aof-rewrite-percentage 100: a compaction rewrites the whole
    // snapshot, so waiting for a journal as large as it keeps the cost per appended byte constant.
    if (this.persistence.journalBytes() < Math.max(floor, this.persistence.snapshotBytes())) return;
    // Appends go to a new segment meanwhile, which must grow past the limit again before a retry.
    this.#compactWaiters.push({ resolve: () => undefined, reject: (err) => this.options.onBackgroundError?.(err) });
  }

  /** Between batches (nothing in flight): snapshot = memory minus what is still pending. */
  #startCompaction(): void {
    const waiters = this.#compactWaiters;
    this.#compactWaiters = [];
    const world = this.hooks.durableWorld(this.#pending.flatMap((c) => c.rows));
    let succeeded = false;
    this.#compacting = this.persistence
      .compact(world)
      .then(
        () => {
          succeeded = true;
          waiters.forEach((w) => w.resolve());
        },
        (err: unknown) => {
          waiters.forEach((w) => w.reject(err));
          throw err;
        },
      )
      .finally(() => {
        this.#compacting = undefined;
        if (succeeded) this.#compactIfLarge(); // writes went on meanwhile: maybe large again already
        if (this.#compactWaiters.length > 0) this.#kick();
      });
    this.#compacting.catch(() => undefined);
  }
}
