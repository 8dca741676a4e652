import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { pageOf } from '../../server/src/messaging/pagination.js';

describe('pagination', () => {
  it('When a list is read page by page with nextCursor, then the pages join up to the whole list, each within the limit', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 60 }), fc.integer({ min: 1, max: 100 }), (ids, limit) => {
        const list = ids.map((id) => ({ id }));
        const seen: { id: string }[] = [];
        let before: string | undefined;
        for (let pages = 0; pages <= list.length + 1; pages += 1) {
          const page = pageOf(list, before === undefined ? { limit } : { limit, before });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items);
          if (page.nextCursor === null) break;
          before = page.nextCursor;
        }
        expect(seen).toEqual(list);
      }),
    );
  });

  it('When the cursor names no item of the list, then it is a 400 invalid_cursor', () => {
    expect(() => pageOf([{ id: 'a' }], { limit: 10, before: 'zzz' })).toThrow(expect.objectContaining({ status: 400, code: 'invalid_cursor' }));
  });
});
