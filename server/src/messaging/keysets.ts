import type { Message, Thread } from '../store/schema.js';
import { compareKeys, type OrderKey } from '../store/sorted-keys.js';
import type { Store } from '../store/store.js';
import { arrayKeyset, type Keyset } from './pagination.js';
import { mayReadThread, messageFloor, type Reach } from './policy.js';
import type { PersonOut } from './schemas.js';

/** Newest first: list order is descending key order. */
const newestFirst = (a: OrderKey, b: OrderKey) => compareKeys(b, a);
const isTuple =
  (types: readonly ('number' | 'string')[]) =>
  (key: unknown): key is OrderKey =>
    Array.isArray(key) &&
    key.length === types.length &&
    // Numbers must be finite: JSON's 1e400 parses as Infinity, which no key is and no page can echo.
    key.every((k, i) => typeof k === types[i] && (typeof k !== 'number' || Number.isFinite(k)));

/**
 * A thread's messages the caller may read, newest first, by `[createdAt, id]`. Under least-privilege
 * the index is cut at the caller's first post (policy.ts), so a page never scans hidden history.
 * A raw message id of this thread is a cursor even once deleted (stamped ids carry their key); an id
 * of another thread is not (it would tell its time, and that it exists).
 */
export function messageKeyset(store: Store, caller: Reach, threadId: string): Keyset<Message> {
  const index = store.messageIndexOf(threadId);
  const floor = messageFloor(store, caller, threadId);
  const rows = function* (ids: Iterable<string> | undefined) {
    for (const id of ids ?? []) yield store.get('messages', id)!;
  };
  return {
    forward: (after) => rows(index?.descIds(after, floor)),
    backward: (before) => rows(index?.ascIds(before, floor)),
    keyOf: (m) => [m.createdAt, m.id],
    compare: newestFirst,
    // Below the least-privilege floor is hidden history: a cursor there is refused like an unknown id
    // (accepting it would say that the hidden message exists).
    keyOfId: (id) => {
      const key = store.messageKeyIn(threadId, id);
      return key && (!floor || compareKeys(key, floor) >= 0) ? key : undefined;
    },
    isKey: isTuple(['number', 'string']),
  };
}

/**
 * The owner's threads the caller may read, most recent activity first, by the store's thread key
 * (the latest message ever posted in it, then its id). A raw thread id is a cursor at the thread's
 * current key while the thread is in the list.
 */
export function threadKeyset(store: Store, caller: Reach): Keyset<Thread> {
  const index = store.threadIndexOf(caller.personId);
  const rows = function* (ids: Iterable<string> | undefined) {
    for (const id of ids ?? []) if (mayReadThread(store, caller, id)) yield store.get('threads', id)!;
  };
  return {
    forward: (after) => rows(index?.descIds(after)),
    backward: (before) => rows(index?.ascIds(before)),
    keyOf: (t) => store.threadKey(t.id)!,
    compare: newestFirst,
    // Only a thread of this list: another's key would tell its last activity.
    keyOfId: (id) =>
      store.get('threads', id)?.participantIds.includes(caller.personId) && mayReadThread(store, caller, id)
        ? store.threadKey(id)
        : undefined,
    isKey: isTuple(['number', 'string', 'string']),
  };
}

const byName = (a: OrderKey, b: OrderKey) =>
  String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]));

/**
 * People by display name then id (friends, participants). A raw person id is a cursor while that
 * person is in the list: anyone else's place would tell their name. Walks across changes use the
 * opaque cursors, which carry the key.
 */
export function peopleKeyset(people: PersonOut[]): Keyset<PersonOut> {
  const keyOf = (p: PersonOut): OrderKey => [p.displayName, p.id];
  const listed = new Map(people.map((p) => [p.id, p]));
  return arrayKeyset(
    [...people].sort((a, b) => byName(keyOf(a), keyOf(b))),
    {
      keyOf,
      compare: byName,
      isKey: isTuple(['string', 'string']),
      keyOfId: (id) => {
        const p = listed.get(id);
        return p ? keyOf(p) : undefined;
      },
    },
  );
}
