import { SegmentedMap } from './segmented-map.js';

/** A row of any collection: everything stored has a string id. */
export interface HasId {
  readonly id: string;
}

/** Keeps a secondary index in step with a table. */
export interface IndexHooks<T extends HasId> {
  added(row: T): void;
  removed(row: T): void;
  /** A row replaced by a new version with the same id (default: removed, then added). */
  replaced?(old: T, row: T): void;
  /** Every row is gone at once (world reset): faster than one `removed` per row. */
  cleared(): void;
  /**
   * The index keeps rows in order (e.g. `MultiIndex`: oldest first): rebuilt in table order once the
   * rows of a refused write are back (`reorderIndexes`), as a restart would file them, since `added`
   * would put each last.
   */
  readonly ordered?: boolean;
}

/**
 * How a table keeps each row put: the same fields and values, in a form of its choosing (e.g.
 * `compactMessage`). A method, so that a table of any row type reads as a `Table<HasId>`.
 */
export interface RowForm<T> {
  keep(row: T): T;
}

/**
 * Under Jest (`NODE_ENV=test`) every stored row is frozen, deeply: code that changes a row in place
 * (which the journal would never see, and which would change a snapshot being written in the
 * background, README "Data and storage") throws a TypeError in the tests instead of passing silently.
 */
const FREEZE_ROWS = process.env['NODE_ENV'] === 'test';

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}

/**
 * One collection in memory: rows by id in insertion order, plus the indexes registered on it.
 * Rows are replaced, never mutated in place, so a row handed out stays consistent. A put keeps the
 * place of the row it replaces; a new row goes last.
 *
 * A row deleted by a write that is not durable yet (`deleteUntilDurable`) keeps its place, unseen
 * by every read, until the write is durable (`durable`) or refused (`restore` puts it back there).
 * That is how the order survives a refused write without a sequence number per row (a `{ row, seq }`
 * entry cost 40 bytes a message, README "Performance"). One case keeps the rows but not the order: a
 * row deleted and then put again before the deletion is durable goes last (as the journal replays
 * it), and if both writes are refused it stays last rather than going back to its place.
 */
export class Table<T extends HasId> {
  readonly #rows = new SegmentedMap<string, T>();
  /**
   * Ids of the rows `#rows` still holds for a deletion that is not durable yet, each with the token of
   * that deletion (a later deletion of the same id, after a put brought it back, has another).
   */
  readonly #deleting = new Map<string, object>();
  readonly #form: RowForm<T>;
  /** @param form how each row put is kept (default: as given). */
  constructor(form: RowForm<T> = { keep: (row) => row }) {
    this.#form = form;
  }
  readonly #indexes: IndexHooks<T>[] = [];
  #version = 0;
  /** A row was restored since the last `reorderIndexes`. */
  #reorder = false;

  /** Grows on every change: lets readers cache what they derive from the table. */
  get version(): number {
    return this.#version;
  }

  index(hooks: IndexHooks<T>): void {
    this.#indexes.push(hooks);
    for (const row of this.all()) hooks.added(row);
  }
  get(id: string): T | undefined {
    const row = this.#rows.get(id);
    return row !== undefined && this.#deleting.size > 0 && this.#deleting.has(id) ? undefined : row;
  }
  /** Id of the row inserted first (the oldest still here), or undefined when the table is empty. */
  firstId(): string | undefined {
    for (const id of this.#rows.keys()) if (!this.#deleting.has(id)) return id;
    return undefined;
  }
  has(id: string): boolean {
    return this.get(id) !== undefined;
  }
  /** The rows in insertion order (a new array of the row objects themselves: O(rows), no copy of a row). */
  all(): T[] {
    const out = new Array<T>(this.size);
    let i = 0;
    this.#rows.forEach((row, id) => {
      if (this.#deleting.size === 0 || !this.#deleting.has(id)) out[i++] = row;
    });
    return out;
  }
  /**
   * The rows as they were before some changes that are not durable yet, in insertion order, without
   * touching the table: `undone` maps the id of each changed row to what it was before the oldest of
   * those changes (`null`: it did not exist). A replaced row kept its place and a deleted one holds
   * it, so each is put back where it is; one deleted and then put again (now last) comes back last.
   */
  rowsBefore(undone: ReadonlyMap<string, T | null>): T[] {
    const out: T[] = [];
    const seen = new Set<string>();
    this.#rows.forEach((row, id) => {
      if (!undone.has(id)) {
        if (!this.#deleting.has(id)) out.push(row);
        return;
      }
      seen.add(id);
      const was = undone.get(id);
      if (was) out.push(was);
    });
    for (const [id, was] of undone) if (was && !seen.has(id)) out.push(was);
    return out;
  }
  get size(): number {
    return this.#rows.size - this.#deleting.size;
  }
  put(given: T): void {
    const row = this.#form.keep(given);
    if (FREEZE_ROWS) deepFreeze(row);
    const old = this.get(row.id);
    this.#version++;
    if (this.#deleting.delete(row.id)) this.#rows.delete(row.id); // a new row again: it goes last
    if (old) this.#rows.set(row.id, row);
    else this.#rows.append(row.id, row); // known to be absent: no second search
    for (const ix of this.#indexes) {
      if (!old) ix.added(row);
      else if (ix.replaced) ix.replaced(old, row);
      else {
        ix.removed(old);
        ix.added(row);
      }
    }
  }
  /**
   * Puts back `row` as it was before a change that was refused (undoing a delete or a replace): in the
   * place it holds (a deletion not durable yet, or a replace), else last.
   */
  restore(row: T): void {
    if (this.#indexes.some((ix) => ix.ordered)) this.#reorder = true;
    if (!this.#deleting.delete(row.id)) {
      this.put(row); // an index may file it last under a key it changed back: `reorderIndexes`
      return;
    }
    this.#version++;
    this.#rows.set(row.id, row);
    for (const ix of this.#indexes) ix.added(row); // last in an ordered index until `reorderIndexes`
  }
  /**
   * Once every row of a refused write is back (`restore`): rebuilds each index kept in table order,
   * once, O(rows), so that those rows are in their places there too.
   */
  reorderIndexes(): void {
    if (!this.#reorder) return;
    this.#reorder = false;
    const rows = this.all();
    for (const ix of this.#indexes) {
      if (!ix.ordered) continue;
      ix.cleared();
      for (const row of rows) ix.added(row);
    }
  }
  /** Deletes now, place and all (loading, undoing a put); returns the row deleted. */
  delete(id: string): T | undefined {
    const old = this.get(id);
    this.#deleting.delete(id);
    this.#rows.delete(id);
    if (!old) return undefined;
    this.#version++;
    for (const ix of this.#indexes) ix.removed(old);
    return old;
  }
  /**
   * Deletes for every read and index, but keeps the row's place until `durable(id, token)`: the write
   * deleting it is not durable yet. Returns the row deleted.
   */
  deleteUntilDurable(id: string, token: object): T | undefined {
    const old = this.get(id);
    if (!old) return undefined;
    this.#version++;
    this.#deleting.set(id, token);
    for (const ix of this.#indexes) ix.removed(old);
    return old;
  }
  /** The deletion `token` of `id` is durable: its row lets go of its place (no-op if put or restored since). */
  durable(id: string, token: object): void {
    if (this.#deleting.get(id) !== token) return;
    this.#deleting.delete(id);
    this.#rows.delete(id);
  }
  clear(): void {
    this.#version++;
    this.#rows.clear();
    this.#deleting.clear();
    for (const ix of this.#indexes) ix.cleared();
  }
}

/**
 * A one-to-many index: key → set of row ids, in the order they were filed under the key (the table's
 * order after a load; a row a replace moves to another key goes last there, as the journal replays it).
 */
export class MultiIndex<T extends HasId> implements IndexHooks<T> {
  readonly ordered = true;
  readonly #map = new Map<string, Set<string>>();
  constructor(private readonly keysOf: (row: T) => readonly (string | undefined)[]) {}
  added(row: T): void {
    this.#add(row.id, this.keysOf(row));
  }
  removed(row: T): void {
    this.#remove(row.id, this.keysOf(row));
  }
  /** Keeps the row's place under the keys it keeps (a replaced message stays where it was in its thread). */
  replaced(old: T, row: T): void {
    const before = this.keysOf(old);
    const after = this.keysOf(row);
    this.#remove(
      old.id,
      before.filter((k) => !after.includes(k)),
    );
    this.#add(
      row.id,
      after.filter((k) => !before.includes(k)),
    );
  }
  #add(id: string, keys: readonly (string | undefined)[]): void {
    for (const key of keys) {
      if (key === undefined) continue;
      let set = this.#map.get(key);
      if (!set) this.#map.set(key, (set = new Set()));
      set.add(id);
    }
  }
  #remove(id: string, keys: readonly (string | undefined)[]): void {
    for (const key of keys) {
      if (key === undefined) continue;
      const set = this.#map.get(key);
      set?.delete(id);
      if (set?.size === 0) this.#map.delete(key);
    }
  }
  cleared(): void {
    this.#map.clear();
  }
  /** Row ids under `key`, in insertion order. */
  ids(key: string): string[] {
    return [...(this.#map.get(key) ?? [])];
  }
  count(key: string): number {
    return this.#map.get(key)?.size ?? 0;
  }
}
