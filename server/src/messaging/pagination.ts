import { AppError } from '../errors.js';
import type { Page, PageQuery } from './schemas.js';

/** The cursor names no item of this list (it may have been deleted): start again from the top. */
export class InvalidCursorError extends AppError {
  constructor() {
    super(400, 'invalid_cursor', 'The "before" cursor does not name an item of this list; start again without it');
  }
}

/**
 * One page of an already ordered list: the items that follow the one whose id is `query.before`
 * (or the first ones), at most `query.limit`. `nextCursor` is the id of the last item returned when
 * more follow, else `null`.
 * @throws InvalidCursorError when `before` is not the id of an item of `ordered`.
 */
export function pageOf<T extends { id: string }>(ordered: readonly T[], query: PageQuery): Page<T> {
  let start = 0;
  if (query.before !== undefined) {
    const at = ordered.findIndex((item) => item.id === query.before);
    if (at === -1) throw new InvalidCursorError();
    start = at + 1;
  }
  const items = ordered.slice(start, start + query.limit);
  const more = start + query.limit < ordered.length;
  return { items, nextCursor: more && items.length > 0 ? items[items.length - 1]!.id : null };
}
