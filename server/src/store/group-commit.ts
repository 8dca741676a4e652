import type { Persistence } from './persistence.js';
import type { JournalLine, JournalOp, World } from './schema.js';
import { AfterRenameError, StoreConflictError, StoreWriteError } from './store-errors.js';

/** One row change applied in memory; `before` undoes it. */
export interface RowChange {
  op: JournalOp;
  /** The row it replaced or deleted; undefined when it added a row (or deleted none). */
  before: { id: string } | undefined;
  /**
   * The row as the table keeps it once the change is applied (a put; undefined for a delete): not
   * always `op.v` itself (a message is kept in its compact form, store/message-form.ts).
   */
  after: { id: string } | undefined;
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

/** A world waiting to replace everything (`GroupCommit.replace`). */
interface Replacement {
  world: World;
  apply(): void;
  resolve(): void;
  reject(err: unknown): void;
}

/** The public detail of a change refused because a reset overtook it. */
const OVERTAKEN_BY_RESET =
  'The world was reset while this change was being saved; it was made to the world before the reset and was not stored. Retry on the reset world.';

/** The public detail of a reset refused because the data file was edited by hand meanwhile. */
const RESET_OVER_EDIT =
  'The data file was changed by another program since Glasshouse loaded it; the reset did not overwrite it. Restart Glasshouse to load the edit.';

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
  /** Undoes in memory every row change of the refused batches, given newest first. */
  undo(changes: readonly RowChange[]): void;
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
  #replacements: Replacement[] = [];

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

  /**
   * Makes `world` the whole state, all or nothing (README "Data and storage"). Changes submitted
   * before it are written first; then appends are held while `world`'s snapshot is written, and
   * `apply` (memory takes `world`) runs only once that snapshot has replaced the data file. Changes
   * held meanwhile were made to the world being replaced: they are refused (StoreWriteError) and never
   * written. When the snapshot cannot be written, nothing is replaced: `apply` is not called, memory
   * is untouched, the held changes are written as usual, and this rejects with StoreWriteError (503).
   * Should a step after the rename fail (fsync of the folder), the new world is what the file system
   * shows: `apply` runs, and this still rejects with StoreWriteError (durability not confirmed).
   */
  replace(world: World, apply: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#replacements.push({ world, apply, resolve, reject });
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
    // After one batch written behind a replacement, the replacement goes first (it does not starve).
    let replaceNow = false;
    for (;;) {
      const replacement = this.#replacements[0];
      if (replacement && (replaceNow || this.#pending.length === 0)) {
        this.#replacements.shift();
        await this.#replace(replacement);
        replaceNow = false;
        continue;
      }
      if (this.#compactWaiters.length > 0 && !this.#compacting) this.#startCompaction();
      if (this.#pending.length === 0) break;
      replaceNow = replacement !== undefined;
      const batch = this.#pending;
      this.#pending = [];
      try {
        await this.persistence.append(batch.map(lineOf));
        for (const c of batch) c.resolve();
        this.#compactIfLarge();
      } catch (err) {
        const refused = [...batch, ...this.#pending];
        this.#pending = [];
        this.hooks.undo(refused.flatMap((c) => c.rows).reverse());
        const error = err instanceof StoreWriteError ? err : new StoreWriteError(err);
        for (const c of refused) c.reject(error);
      }
    }
    this.#running = false;
    this.#markIdle();
  }

  /** Runs inside `#run`: no append starts until it settles (README "Data and storage"). */
  async #replace({ world, apply, resolve, reject }: Replacement): Promise<void> {
    while (this.#compacting) await this.#compacting.catch(() => undefined);
    let failure: unknown;
    try {
      await this.persistence.replace(world, () => this.hooks.durableWorld(this.#pending.flatMap((c) => c.rows)));
    } catch (err) {
      if (!(err instanceof AfterRenameError)) {
        reject(
          err instanceof StoreConflictError ? new StoreWriteError(err, RESET_OVER_EDIT) : new StoreWriteError(err),
        );
        return; // nothing replaced: the held changes are written next, as usual
      }
      failure = err;
    }
    const overtaken = this.#pending;
    this.#pending = [];
    apply(); // memory takes `world`: the overtaken changes vanish with the world they were made to
    const error = new StoreWriteError(new Error('overtaken by a reset'), OVERTAKEN_BY_RESET);
    for (const c of overtaken) c.reject(error);
    if (failure === undefined) resolve();
    else reject(new StoreWriteError(failure));
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
