import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compareKeys, SortedKeys, type OrderKey } from '../../server/src/store/sorted-keys.js';

/** The same list kept the obvious way: every entry, sorted by key (stable for equal keys). */
class NaiveList {
  entries: { key: OrderKey; id: string }[] = [];
  insert(key: OrderKey, id: string) {
    this.entries.push({ key, id });
    this.entries.sort((a, b) => compareKeys(a.key, b.key));
  }
  remove(key: OrderKey, id: string) {
    const i = this.entries.findIndex((e) => compareKeys(e.key, key) === 0 && e.id === id);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
}

// Message-shaped keys [createdAt, id] from a few times and ids, so ties and removals of absent
// entries happen often; times beyond 2^31 are what a real clock gives.
const time = fc.integer({ min: 0, max: 6 }).map((t) => 1_767_225_600_000 + t);
const id = fc.constantFrom('a', 'b', 'c', 'd', 'm_1', 'm_2');
const op = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), t: time, id }),
  fc.record({ kind: fc.constant('remove' as const), t: time, id }),
);
const bound = fc.option(fc.tuple(time, id), { nil: undefined });

describe('SortedKeys (stored by column)', () => {
  it('answers size, last, countFrom, desc and asc as a plain sorted list does, after any inserts and removals', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), bound, bound, (ops, a, b) => {
        const list = new SortedKeys();
        const naive = new NaiveList();
        for (const o of ops) {
          const key = [o.t, o.id] as const;
          if (o.kind === 'insert') {
            list.insert(key, o.id);
            naive.insert(key, o.id);
          } else expect(list.remove(key, o.id)).toBe(naive.remove(key, o.id));
        }
        const all = naive.entries;
        expect(list.size).toBe(all.length);
        expect(list.last()).toEqual(all[all.length - 1]);
        if (a) expect(list.countFrom(a)).toBe(all.filter((e) => compareKeys(e.key, a) >= 0).length);
        const below = (e: { key: OrderKey }) => !a || compareKeys(e.key, a) < 0;
        const above = (e: { key: OrderKey }) => !a || compareKeys(e.key, a) > 0;
        const atLeast = (e: { key: OrderKey }) => !b || compareKeys(e.key, b) >= 0;
        expect([...list.desc(a, b)]).toEqual(all.filter((e) => below(e) && atLeast(e)).reverse());
        expect([...list.asc(a, b)]).toEqual(all.filter((e) => above(e) && atLeast(e)));
        expect([...list.descIds(a, b)]).toEqual([...list.desc(a, b)].map((e) => e.id));
        expect([...list.ascIds(a, b)]).toEqual([...list.asc(a, b)].map((e) => e.id));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a key of another length than the keys it holds (its columns would no longer line up)', () => {
    const list = new SortedKeys();
    list.insert([1, 'a'], 'a');
    expect(() => list.insert([2], 'b')).toThrow(TypeError);
    expect(() => list.insert([2, 'b', 'c'], 'b')).toThrow(TypeError);
    list.remove([1, 'a'], 'a');
    list.insert([2, 'b', 'c'], 'c'); // emptied: a new shape is fine
    expect([...list.desc()]).toEqual([{ key: [2, 'b', 'c'], id: 'c' }]);
  });

  it('refuses a key with a string where the keys it holds have a number, or the other way round (a number column holds numbers only)', () => {
    const list = new SortedKeys();
    list.insert([1, 'm_a', 'a'], 'a');
    list.insert([5, 'm_e', 'e'], 'e');
    expect(() => list.insert(['2', 'm_b', 'b'], 'b')).toThrow(TypeError);
    expect(() => list.insert([0, 3, 'c'], 'c')).toThrow(TypeError); // before both: nothing moved either
    expect([...list.asc()]).toEqual([
      { key: [1, 'm_a', 'a'], id: 'a' },
      { key: [5, 'm_e', 'e'], id: 'e' },
    ]);
  });

  it('refuses a key that does not end with the id filed under it (the id is kept once, as the last element)', () => {
    const list = new SortedKeys();
    list.insert([1, 'a'], 'a');
    expect(() => list.insert([2, 'b'], 'c')).toThrow(TypeError);
    expect(() => list.insert([], 'c')).toThrow(TypeError);
    expect([...list.asc()]).toEqual([{ key: [1, 'a'], id: 'a' }]);
  });

  it('keeps keys of three elements (thread keys) in order', () => {
    const list = new SortedKeys();
    list.insert([2, 'm_b', 't_1'], 't_1');
    list.insert([1, '', 't_2'], 't_2');
    list.insert([2, 'm_a', 't_3'], 't_3');
    expect([...list.desc()].map((e) => e.id)).toEqual(['t_1', 't_3', 't_2']);
    expect(list.last()).toEqual({ key: [2, 'm_b', 't_1'], id: 't_1' });
  });
});
