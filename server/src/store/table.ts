/** A row of any collection: everything stored has a string id. */
export interface HasId {
  readonly id: string;
}

/** Keeps a secondary index in step with a table. */
export interface IndexHooks<T extends HasId> {
  added(row: T): void;
  removed(row: T): void;
  /** Every row is gone at once (world reset): faster than one `removed` per row. */
  cleared(): void;
}

/**
 * One collection in memory: rows by id in insertion order, plus the indexes registered on it.
 * Rows are replaced, never mutated in place, so a row handed out stays consistent.
 */
export class Table<T extends HasId> {
  readonly #rows = new Map<string, T>();
  readonly #indexes: IndexHooks<T>[] = [];

  index(hooks: IndexHooks<T>): void {
    this.#indexes.push(hooks);
    for (const row of this.#rows.values()) hooks.added(row);
  }
  get(id: string): T | undefined {
    return this.#rows.get(id);
  }
  has(id: string): boolean {
    return this.#rows.has(id);
  }
  all(): T[] {
    return [...this.#rows.values()];
  }
  get size(): number {
    return this.#rows.size;
  }
  put(row: T): void {
    const old = this.#rows.get(row.id);
    if (old) for (const ix of this.#indexes) ix.removed(old);
    this.#rows.set(row.id, row);
    for (const ix of this.#indexes) ix.added(row);
  }
  delete(id: string): T | undefined {
    const old = this.#rows.get(id);
    if (!old) return undefined;
    this.#rows.delete(id);
    for (const ix of this.#indexes) ix.removed(old);
    return old;
  }
  clear(): void {
    this.#rows.clear();
    for (const ix of this.#indexes) ix.cleared();
  }
}

/** A one-to-many index: key → set of row ids. */
export class MultiIndex<T extends HasId> implements IndexHooks<T> {
  readonly #map = new Map<string, Set<string>>();
  constructor(private readonly keysOf: (row: T) => readonly (string | undefined)[]) {}
  added(row: T): void {
    for (const key of this.keysOf(row)) {
      if (key === undefined) continue;
      let set = this.#map.get(key);
      if (!set) this.#map.set(key, (set = new Set()));
      set.add(row.id);
    }
  }
  removed(row: T): void {
    for (const key of this.keysOf(row)) {
      if (key === undefined) continue;
      const set = this.#map.get(key);
      set?.delete(row.id);
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
