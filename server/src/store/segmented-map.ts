/** Entries of the first two segments: a power of two, so that a full segment's table is exactly full. */
export const SEGMENT_ENTRIES = 32_768;

/**
 * A Map in insertion order (the same answers and order as a `Map`), kept as a list of Maps. V8 doubles
 * a Map's table each time it fills, at every power of two (about 28 bytes an entry of the table): one
 * Map of 140,000 messages kept a table for 262,144, 7.3 MB instead of 3.9 (README "Performance").
 * Here a new segment starts when the last is full, as large as all the others together (the first
 * two: `segmentEntries`): the full segments' tables are full, only the newest has room to spare,
 * never more than one Map of every entry would have, and a lookup tries O(log entries) segments,
 * newest first (recent rows are read most). Values are never undefined.
 */
export class SegmentedMap<K, V extends object> {
  #segments: Map<K, V>[] = [new Map()];
  #size = 0;
  readonly #segmentEntries: number;
  /** Entries the newest segment takes before the next one starts. */
  #room: number;

  /** @param segmentEntries entries of the first two segments (tests use small ones). */
  constructor(segmentEntries = SEGMENT_ENTRIES) {
    this.#segmentEntries = segmentEntries;
    this.#room = segmentEntries;
  }

  get size(): number {
    return this.#size;
  }

  /** How many Maps hold the entries (diagnostics, tests). */
  get segmentCount(): number {
    return this.#segments.length;
  }

  get(key: K): V | undefined {
    const segments = this.#segments;
    for (let i = segments.length - 1; i >= 0; i--) {
      const value = segments[i]!.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Replaces in place an entry of `key`, else adds one last. */
  set(key: K, value: V): this {
    const segments = this.#segments;
    for (let i = segments.length - 1; i >= 0; i--) {
      if (!segments[i]!.has(key)) continue;
      segments[i]!.set(key, value);
      return this;
    }
    return this.append(key, value);
  }

  /** Adds an entry last, for a `key` the caller knows is absent (`set` without its search). */
  append(key: K, value: V): this {
    let last = this.#segments[this.#segments.length - 1]!;
    if (last.size >= this.#room) {
      this.#room = Math.max(this.#segmentEntries, this.#size);
      this.#segments.push((last = new Map()));
    }
    last.set(key, value);
    this.#size++;
    return this;
  }

  delete(key: K): boolean {
    const segments = this.#segments;
    for (let i = segments.length - 1; i >= 0; i--) {
      if (!segments[i]!.delete(key)) continue;
      this.#size--;
      // An emptied older segment goes; the newest stays, with the room it was given, for what comes next.
      if (segments[i]!.size === 0 && i < segments.length - 1) segments.splice(i, 1);
      return true;
    }
    return false;
  }

  clear(): void {
    this.#segments = [new Map()];
    this.#size = 0;
    this.#room = this.#segmentEntries;
  }

  /** Calls `visit` with each entry in insertion order (faster than iterating: no generator). */
  forEach(visit: (value: V, key: K) => void): void {
    for (const segment of this.#segments) segment.forEach(visit);
  }

  keys(): IterableIterator<K> {
    return this.#each((key) => key);
  }

  /** The entries in insertion order; like a Map's, do not delete while iterating. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.#each((key, value) => [key, value]);
  }

  *#each<R>(pick: (key: K, value: V) => R): IterableIterator<R> {
    for (const segment of this.#segments) for (const [key, value] of segment) yield pick(key, value);
  }
}
