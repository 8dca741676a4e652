import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SegmentedMap } from '../../server/src/store/segmented-map.js';

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('SegmentedMap', () => {
  it.each([1, 2, 3])(
    'answers get, has, size, delete and every order as a Map does, after any sets, deletes and clears (segments of %i)',
    (segmentEntries) => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
          const map = new Map<string, { v: number }>();
          const segmented = new SegmentedMap<string, { v: number }>(segmentEntries);
          for (const o of ops) {
            if (o.kind === 'set') {
              const value = { v: o.value };
              // `append` is `set` for a key known to be absent.
              if (!map.has(o.key) && o.value % 2 === 0) segmented.append(o.key, value);
              else segmented.set(o.key, value);
              map.set(o.key, value);
            } else if (o.kind === 'delete') expect(segmented.delete(o.key)).toBe(map.delete(o.key));
            else {
              map.clear();
              segmented.clear();
            }
            expect(segmented.size).toBe(map.size);
            expect([...segmented]).toEqual([...map]);
          }
          for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'z']) {
            expect(segmented.get(k)).toBe(map.get(k));
            expect(segmented.has(k)).toBe(map.has(k));
          }
          expect([...segmented.keys()]).toEqual([...map.keys()]);
          const visited: [string, { v: number }][] = [];
          segmented.forEach((value, k) => visited.push([k, value]));
          expect(visited).toEqual([...map]);
        }),
        { numRuns: 300 },
      );
    },
  );

  it('keeps O(log entries) segments, each new one as large as the others together: a lookup tries few', () => {
    const segmented = new SegmentedMap<number, object>(4);
    for (let i = 0; i < 4096; i++) segmented.append(i, {});
    expect(segmented.segmentCount).toBe(11); // 4, 4, 8, 16, …, 2048: 4 × 2^10 entries in 11 maps
    expect(segmented.get(0)).toBeDefined();
    segmented.append(4096, {});
    expect(segmented.segmentCount).toBe(12);
  });
});
