/**
 * An order key: compared element by element (numbers numerically, strings by UTF-16 code units),
 * a shorter key before a longer one that starts with it. Keys of one list all have the same shape.
 */
export type OrderKey = readonly (number | string)[];

/** Negative when `a` sorts before `b`, positive after, 0 equal. */
export function compareKeys(a: OrderKey, b: OrderKey): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

export interface KeyedId {
  readonly key: OrderKey;
  readonly id: string;
}

/**
 * Row ids kept sorted by an order key (ascending), for O(log n) positioning and O(page) reads.
 * Appending a key larger than every other (the usual case: new messages) costs O(1); other inserts
 * and removals cost one binary search plus an array move.
 *
 * Stored by column (element j of every key in one array, the ids in another) rather than as one
 * `{ key, id }` object per row: a message's entry costs three array slots (its time unboxed in a
 * double array) instead of four heap objects, about 24 bytes instead of 140 (README "Performance").
 * Iteration builds the `{ key, id }` it yields.
 */
export class SortedKeys {
  /** `#columns[j][i]`: element j of the i-th key. Empty until the first insert fixes the shape. */
  #columns: (number | string)[][] = [];
  #ids: string[] = [];

  get size(): number {
    return this.#ids.length;
  }

  /** compareKeys(key at `i`, `key`), without building the stored key. */
  #compareAt(i: number, key: OrderKey): number {
    const n = Math.min(this.#columns.length, key.length);
    for (let j = 0; j < n; j++) {
      const x = this.#columns[j]![i]!;
      const y = key[j]!;
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
      return String(x) < String(y) ? -1 : 1;
    }
    return this.#columns.length - key.length;
  }

  #entry(i: number): KeyedId {
    const key = new Array<number | string>(this.#columns.length);
    for (let j = 0; j < key.length; j++) key[j] = this.#columns[j]![i]!;
    return { key, id: this.#ids[i]! };
  }

  /** Index of the first entry whose key is ≥ `key` (`strict`: > `key`). */
  #bound(key: OrderKey, strict: boolean): number {
    let lo = 0;
    let hi = this.#ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.#compareAt(mid, key);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: OrderKey, id: string): void {
    if (this.#ids.length === 0) this.#columns = key.map(() => []);
    else if (key.length !== this.#columns.length)
      throw new TypeError(`a key of ${key.length} elements in a list of keys of ${this.#columns.length}`);
    const last = this.#ids.length - 1;
    if (last < 0 || this.#compareAt(last, key) <= 0) {
      for (let j = 0; j < key.length; j++) this.#columns[j]!.push(key[j]!);
      this.#ids.push(id);
      return;
    }
    const at = this.#bound(key, true);
    for (let j = 0; j < key.length; j++) this.#columns[j]!.splice(at, 0, key[j]!);
    this.#ids.splice(at, 0, id);
  }

  /** Removes the entry of `id` filed under `key`; false when there is none. */
  remove(key: OrderKey, id: string): boolean {
    for (let i = this.#bound(key, false); i < this.#ids.length; i++) {
      if (this.#compareAt(i, key) !== 0) return false;
      if (this.#ids[i] === id) {
        for (const column of this.#columns) column.splice(i, 1);
        this.#ids.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** The entry with the largest key. */
  last(): KeyedId | undefined {
    return this.#ids.length === 0 ? undefined : this.#entry(this.#ids.length - 1);
  }

  /** Number of entries whose key is ≥ `floor`. */
  countFrom(floor: OrderKey): number {
    return this.#ids.length - this.#bound(floor, false);
  }

  /** Entries with key < `below` (all when absent) and ≥ `floor`, largest first. Lazy. */
  *desc(below?: OrderKey, floor?: OrderKey): Generator<KeyedId> {
    for (const i of this.#descIndexes(below, floor)) yield this.#entry(i);
  }

  /** Entries with key > `above` (or ≥ `floor` when that is higher), smallest first. Lazy. */
  *asc(above?: OrderKey, floor?: OrderKey): Generator<KeyedId> {
    for (const i of this.#ascIndexes(above, floor)) yield this.#entry(i);
  }

  /** The ids of `desc(below, floor)`, without building an entry for each (pages read only ids). */
  *descIds(below?: OrderKey, floor?: OrderKey): Generator<string> {
    for (const i of this.#descIndexes(below, floor)) yield this.#ids[i]!;
  }

  /** The ids of `asc(above, floor)`. */
  *ascIds(above?: OrderKey, floor?: OrderKey): Generator<string> {
    for (const i of this.#ascIndexes(above, floor)) yield this.#ids[i]!;
  }

  *#descIndexes(below?: OrderKey, floor?: OrderKey): Generator<number> {
    const stop = floor ? this.#bound(floor, false) : 0;
    for (let i = (below ? this.#bound(below, false) : this.#ids.length) - 1; i >= stop; i--) yield i;
  }

  *#ascIndexes(above?: OrderKey, floor?: OrderKey): Generator<number> {
    let start = above ? this.#bound(above, true) : 0;
    if (floor) start = Math.max(start, this.#bound(floor, false));
    for (let i = start; i < this.#ids.length; i++) yield i;
  }
}
