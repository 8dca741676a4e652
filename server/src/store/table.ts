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
 * Rows are replaced, never mutated in place, so a row handed out stays consistent. Each row keeps the
 * sequence number of its first insertion, so that a row put back after a failed write (`restore`)
 * regains its place.
 */
export class Table<T extends HasId> {
  readonly #rows = new Map<string, { row: T; seq: number }>();
  readonly #form: RowForm<T>;
  /** @param form how each row put is kept (default: as given). */
  constructor(form: RowForm<T> = { keep: (row) => row }) {
    this.#form = form;
  }
  readonly #indexes: IndexHooks<T>[] = [];
  #lastSeq = 0;
  #version = 0;

  /** Grows on every change: lets readers cache what they derive from the table. */
  get version(): number {
    return this.#version;
  }

  index(hooks: IndexHooks<T>): void {
    this.#indexes.push(hooks);
    for (const { row } of this.#rows.values()) hooks.added(row);
  }
  get(id: string): T | undefined {
    return this.#rows.get(id)?.row;
  }
  /** Insertion sequence number of a stored row. */
  seqOf(id: string): number | undefined {
    return this.#rows.get(id)?.seq;
  }
  /** Id of the row inserted first (the oldest still here), or undefined when the table is empty. */
  firstId(): string | undefined {
    return this.#rows.keys().next().value;
  }
  has(id: string): boolean {
    return this.#rows.has(id);
  }
  /** The rows in insertion order (a new array of the row objects themselves: O(rows), no copy of a row). */
  all(): T[] {
    const out = new Array<T>(this.#rows.size);
    let i = 0;
    for (const e of this.#rows.values()) out[i++] = e.row;
    return out;
  }
  /**
   * The rows as they were before some changes, in insertion order, without touching the table:
   * `undone` maps the id of each changed row to what it was before the oldest of those changes
   * (`null`: it did not exist). Relies on the map's order being the `seq` order (puts keep the place
   * of the row they replace; new rows get the next `seq`; `restore` rebuilds in `seq` order).
   */
  rowsBefore(undone: ReadonlyMap<string, { row: T; seq: number } | null>): T[] {
    const back = [...undone.values()].filter((e) => e !== null).sort((a, b) => a.seq - b.seq);
    const out: T[] = [];
    let k = 0;
    for (const [id, e] of this.#rows) {
      if (undone.has(id)) continue;
      while (k < back.length && back[k]!.seq < e.seq) out.push(back[k++]!.row);
      out.push(e.row);
    }
    while (k < back.length) out.push(back[k++]!.row);
    return out;
  }
  /** Rows with their sequence numbers, in order. */
  entries(): { row: T; seq: number }[] {
    return [...this.#rows.values()];
  }
  get size(): number {
    return this.#rows.size;
  }
  put(given: T): void {
    const row = this.#form.keep(given);
    if (FREEZE_ROWS) deepFreeze(row);
    const old = this.#rows.get(row.id);
    this.#version++;
    this.#rows.set(row.id, { row, seq: old?.seq ?? ++this.#lastSeq });
    for (const ix of this.#indexes) {
      if (!old) ix.added(row);
      else if (ix.replaced) ix.replaced(old.row, row);
      else {
        ix.removed(old.row);
        ix.added(row);
      }
    }
  }
  /** Puts `row` back at the place `seq` it had (undoing a delete or a replace). */
  restore(row: T, seq: number): void {
    if (this.#rows.has(row.id) || seq > this.#lastSeq) {
      this.put(row);
      return;
    }
    const entries = [...this.#rows.values(), { row, seq }].sort((a, b) => a.seq - b.seq);
    this.clear();
    for (const e of entries) {
      this.#version++;
      this.#rows.set(e.row.id, e);
      for (const ix of this.#indexes) ix.added(e.row);
    }
  }
  delete(id: string): T | undefined {
    const old = this.#rows.get(id);
    if (!old) return undefined;
    this.#version++;
    this.#rows.delete(id);
    for (const ix of this.#indexes) ix.removed(old.row);
    return old.row;
  }
  clear(): void {
    this.#version++;
    this.#rows.clear();
    for (const ix of this.#indexes) ix.cleared();
  }
}

/** A one-to-many index: key → set of row ids. */
export class MultiIndex<T extends HasId> implements IndexHooks<T> {
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
