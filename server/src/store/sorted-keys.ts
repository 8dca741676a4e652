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
 * A column of numbers: a Float64Array with spare room at its end (8 bytes a number, whatever the
 * engine does). In a JS array, optimized code that also stored to the string columns turned the
 * number columns generic, each number then a boxed 16-byte heap object (110,000 of them in the
 * bench's big thread) — separate array literals and store sites did not prevent it.
 */
type NumberColumn = Float64Array;
type Column = NumberColumn | string[];

/** `column` with room for at least `n + 1` numbers (the same array, or a larger copy). */
function withRoom(column: NumberColumn, n: number): NumberColumn {
  if (n < column.length) return column;
  const grown = new Float64Array(Math.ceil(n * 1.5) + 4);
  grown.set(column);
  return grown;
}

/**
 * Row ids kept sorted by an order key (ascending), for O(log n) positioning and O(page) reads.
 * Appending a key larger than every other (the usual case: new messages) costs O(1); other inserts
 * and removals cost one binary search plus an array move.
 *
 * A key ends with its row's id (`[createdAt, id]`, `[time, messageId, threadId]`), which makes
 * every key unique. Stored by column (element j of every key in one array; the last element is
 * the id, kept once, in the ids array) rather than as one `{ key, id }` object per row: a message's
 * entry costs one array slot and 8 bytes of a Float64Array (its time, unboxed) instead of four heap
 * objects, about 16 bytes instead of 140 (README "Performance").
 * Iteration builds the `{ key, id }` it yields.
 */
export class SortedKeys {
  /**
   * `#columns[j][i]`: element j of the i-th key (i < size; a number column may have room past it),
   * for every element but the last, which is `#ids[i]`. Empty until the first insert fixes the shape.
   */
  #columns: Column[] = [];
  #ids: string[] = [];

  get size(): number {
    return this.#ids.length;
  }

  /** compareKeys(key at `i`, `key`), without building the stored key. */
  #compareAt(i: number, key: OrderKey): number {
    const columns = this.#columns.length;
    const n = Math.min(columns + 1, key.length);
    for (let j = 0; j < n; j++) {
      const x = j < columns ? this.#columns[j]![i]! : this.#ids[i]!;
      const y = key[j]!;
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
      return String(x) < String(y) ? -1 : 1;
    }
    return columns + 1 - key.length;
  }

  #entry(i: number): KeyedId {
    const columns = this.#columns.length;
    const key = new Array<number | string>(columns + 1);
    for (let j = 0; j < columns; j++) key[j] = this.#columns[j]![i]!;
    key[columns] = this.#ids[i]!;
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

  /**
   * Files `id` under `key`, whose last element is `id`.
   * @throws TypeError when `key` does not end with `id`, or has another shape than the keys already
   * in the list (nothing changes).
   */
  insert(key: OrderKey, id: string): void {
    if (key[key.length - 1] !== id) throw new TypeError(`a key that does not end with its id ${id}`);
    const n = this.#ids.length;
    const leading = key.length - 1; // the elements kept in columns (no copy of the key: every write files some)
    if (n === 0) this.#columns = key.slice(0, -1).map((k) => (typeof k === 'number' ? new Float64Array(4) : []));
    else if (leading !== this.#columns.length)
      throw new TypeError(`a key of ${key.length} elements in a list of keys of ${this.#columns.length + 1}`);
    for (let j = 0; j < leading; j++) {
      const holdsNumbers = this.#columns[j] instanceof Float64Array;
      if ((typeof key[j] === 'number') !== holdsNumbers)
        throw new TypeError(`a key with a ${typeof key[j]} at ${j} in a list of keys with another type there`);
    }
    const at = n === 0 || this.#compareAt(n - 1, key) <= 0 ? n : this.#bound(key, true);
    for (let j = 0; j < leading; j++) this.#insertIn(j, at, key[j]!, n);
    if (at === n) this.#ids.push(id);
    else this.#ids.splice(at, 0, id);
  }

  /** Puts `value` at `at` in column `j`, which holds `n` values. */
  #insertIn(j: number, at: number, value: number | string, n: number): void {
    const column = this.#columns[j]!;
    if (column instanceof Float64Array) {
      const values = (this.#columns[j] = withRoom(column, n));
      values.copyWithin(at + 1, at, n);
      values[at] = value as number;
    } else {
      if (at === n) column.push(value as string);
      else column.splice(at, 0, value as string);
    }
  }

  /** Removes the entry of `id` filed under `key`; false when there is none. */
  remove(key: OrderKey, id: string): boolean {
    const n = this.#ids.length;
    for (let i = this.#bound(key, false); i < n; i++) {
      if (this.#compareAt(i, key) !== 0) return false;
      if (this.#ids[i] === id) {
        for (const column of this.#columns) {
          if (column instanceof Float64Array) column.copyWithin(i, i + 1, n);
          else column.splice(i, 1);
        }
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
    const stop = this.#descStop(floor);
    for (let i = this.#descStart(below); i >= stop; i--) yield this.#entry(i);
  }

  /** Entries with key > `above` (or ≥ `floor` when that is higher), smallest first. Lazy. */
  *asc(above?: OrderKey, floor?: OrderKey): Generator<KeyedId> {
    for (let i = this.#ascStart(above, floor); i < this.#ids.length; i++) yield this.#entry(i);
  }

  /** The ids of `desc(below, floor)`, without building an entry for each (pages read only ids). */
  *descIds(below?: OrderKey, floor?: OrderKey): Generator<string> {
    // One generator, not one over another's indexes: a page resumes it once per item (README "Performance").
    const stop = this.#descStop(floor);
    for (let i = this.#descStart(below); i >= stop; i--) yield this.#ids[i]!;
  }

  /** The ids of `asc(above, floor)`. */
  *ascIds(above?: OrderKey, floor?: OrderKey): Generator<string> {
    for (let i = this.#ascStart(above, floor); i < this.#ids.length; i++) yield this.#ids[i]!;
  }

  /** Index of the first entry of a descending walk below `below` (the last one when absent). */
  #descStart(below?: OrderKey): number {
    return (below ? this.#bound(below, false) : this.#ids.length) - 1;
  }

  /** Index at which a descending walk stops (inclusive): the first entry ≥ `floor`. */
  #descStop(floor?: OrderKey): number {
    return floor ? this.#bound(floor, false) : 0;
  }

  /** Index of the first entry of an ascending walk above `above` and at or above `floor`. */
  #ascStart(above?: OrderKey, floor?: OrderKey): number {
    const start = above ? this.#bound(above, true) : 0;
    return floor ? Math.max(start, this.#bound(floor, false)) : start;
  }
}
