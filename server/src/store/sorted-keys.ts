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
 */
export class SortedKeys {
  #entries: KeyedId[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /** Index of the first entry whose key is ≥ `key` (`strict`: > `key`). */
  #bound(key: OrderKey, strict: boolean): number {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.#entries[mid]!.key, key);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: OrderKey, id: string): void {
    const last = this.#entries[this.#entries.length - 1];
    if (!last || compareKeys(last.key, key) <= 0) this.#entries.push({ key, id });
    else this.#entries.splice(this.#bound(key, true), 0, { key, id });
  }

  /** Removes the entry of `id` filed under `key`; false when there is none. */
  remove(key: OrderKey, id: string): boolean {
    for (let i = this.#bound(key, false); i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (compareKeys(entry.key, key) !== 0) return false;
      if (entry.id === id) {
        this.#entries.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** The entry with the largest key. */
  last(): KeyedId | undefined {
    return this.#entries[this.#entries.length - 1];
  }

  /** Number of entries whose key is ≥ `floor`. */
  countFrom(floor: OrderKey): number {
    return this.#entries.length - this.#bound(floor, false);
  }

  /** Entries with key < `below` (all when absent) and ≥ `floor`, largest first. Lazy. */
  *desc(below?: OrderKey, floor?: OrderKey): Generator<KeyedId> {
    const stop = floor ? this.#bound(floor, false) : 0;
    for (let i = (below ? this.#bound(below, false) : this.#entries.length) - 1; i >= stop; i--)
      yield this.#entries[i]!;
  }

  /** Entries with key > `above` (or ≥ `floor` when that is higher), smallest first. Lazy. */
  *asc(above?: OrderKey, floor?: OrderKey): Generator<KeyedId> {
    let start = above ? this.#bound(above, true) : 0;
    if (floor) start = Math.max(start, this.#bound(floor, false));
    for (let i = start; i < this.#entries.length; i++) yield this.#entries[i]!;
  }
}
