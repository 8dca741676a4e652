import { AppError } from '../errors.js';
import type { OrderKey } from '../store/sorted-keys.js';
import type { Page, PageQuery } from './schemas.js';

/** A cursor that is neither one this list gave out nor the id of one of its items (dead or alive). */
export class InvalidCursorError extends AppError {
  constructor(param: string) {
    super(
      400,
      'invalid_cursor',
      `"${param}" is not a cursor of this list (use a nextCursor/prevCursor it returned, or an item id); start again without it`,
    );
  }
}

/**
 * A list read by keyset (README "Paging"). "List order" is the order pages are served in (newest
 * first for messages and threads); every item has a unique key, and `compare` orders keys in list
 * order. Iterators are lazy: a page reads only what it returns, plus one item to know if more follow.
 */
export interface Keyset<T> {
  /** Items in list order, from the top or strictly after the key `after`. */
  forward(after?: OrderKey): Iterable<T>;
  /** Items in reverse list order, strictly before the key `before`, nearest to it first. */
  backward(before: OrderKey): Iterable<T>;
  keyOf(item: T): OrderKey;
  /** Negative when `a` comes before `b` in list order. */
  compare(a: OrderKey, b: OrderKey): number;
  /** The key named by a raw item id (a deleted one too, where the list can tell), else undefined. */
  keyOfId(id: string): OrderKey | undefined;
  /** Is this a key of the list's shape (for opaque cursors)? */
  isKey(key: unknown): key is OrderKey;
}

const OPAQUE = 'c.';

/** A key as an opaque cursor: `c.` + base64url(JSON). */
export function encodeCursor(key: OrderKey): string {
  return OPAQUE + Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor<T>(list: Keyset<T>, raw: string, param: string): OrderKey {
  if (raw.startsWith(OPAQUE)) {
    let key: unknown;
    try {
      key = JSON.parse(Buffer.from(raw.slice(OPAQUE.length), 'base64url').toString('utf8'));
    } catch {
      key = undefined;
    }
    if (list.isKey(key)) return key;
  }
  const key = list.keyOfId(raw);
  if (key === undefined) throw new InvalidCursorError(param);
  return key;
}

function take<T>(items: Iterable<T>, limit: number, within: (item: T) => boolean): T[] {
  const out: T[] = [];
  if (limit <= 0) return out;
  for (const item of items) {
    if (!within(item)) break;
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * One page by keyset, always in list order:
 * - no cursor: the first `limit` items; `max_id` (alias `before`): the first `limit` strictly after it;
 * - `since_id`: the first `limit` strictly before it (the newest ones that are newer), down to it;
 * - `min_id`: the `limit` items immediately before it (walking towards the top without gaps);
 * - `max_id` with `since_id`/`min_id`: only items between the two.
 * `nextCursor` names the last item when more follow it (pass as `max_id`); `prevCursor` names the
 * first item (pass as `since_id`/`min_id`), or echoes the `since_id`/`min_id` of an empty page as given.
 * @throws InvalidCursorError (400) for a cursor that names nothing this list knows.
 */
export function keysetPage<T>(list: Keyset<T>, query: PageQuery): Page<T> {
  const maxRaw = query.max_id ?? query.before;
  const max =
    maxRaw === undefined ? undefined : decodeCursor(list, maxRaw, query.max_id === undefined ? 'before' : 'max_id');
  const since = query.since_id === undefined ? undefined : decodeCursor(list, query.since_id, 'since_id');
  const min = query.min_id === undefined ? undefined : decodeCursor(list, query.min_id, 'min_id');
  const items = min
    ? take(
        list.backward(min),
        query.limit,
        (item) => max === undefined || list.compare(list.keyOf(item), max) > 0,
      ).reverse()
    : take(list.forward(max), query.limit, (item) => since === undefined || list.compare(list.keyOf(item), since) < 0);
  const first = items[0];
  const last = items[items.length - 1];
  const more = last !== undefined && !list.forward(list.keyOf(last))[Symbol.iterator]().next().done;
  // An empty page hands back the cursor as the client gave it: encoding the key an id stands for
  // would tell the client what it did not know (a person's name, a message's time).
  const echo = query.min_id ?? query.since_id;
  return {
    items,
    nextCursor: more ? encodeCursor(list.keyOf(last)) : null,
    prevCursor: first !== undefined ? encodeCursor(list.keyOf(first)) : (echo ?? null),
  };
}

/**
 * A keyset over a small list already sorted by `compare` in memory (friends, participants).
 * `keyOfId` names the key of an id that is no longer in the list (else such a cursor is refused).
 */
export function arrayKeyset<T extends { id: string }>(
  ordered: readonly T[],
  { keyOf, compare, isKey, keyOfId }: Pick<Keyset<T>, 'keyOf' | 'compare' | 'isKey' | 'keyOfId'>,
): Keyset<T> {
  return {
    *forward(after) {
      for (const item of ordered) if (after === undefined || compare(keyOf(item), after) > 0) yield item;
    },
    *backward(before) {
      for (let i = ordered.length - 1; i >= 0; i--) if (compare(keyOf(ordered[i]!), before) < 0) yield ordered[i]!;
    },
    keyOf,
    compare,
    keyOfId,
    isKey,
  };
}
