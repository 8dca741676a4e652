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
    Array.isArray(key) && key.length === types.length && key.every((k, i) => typeof k === types[i]);

/**
 * A thread's messages the caller may read, newest first, by `[createdAt, id]`. Under least-privilege
 * the index is cut at the caller's first post (policy.ts), so a page never scans hidden history.
 * A raw message id is a cursor even once deleted (stamped ids carry their key).
 */
export function messageKeyset(store: Store, caller: Reach, threadId: string): Keyset<Message> {
  const index = store.messageIndexOf(threadId);
  const floor = messageFloor(store, caller, threadId);
  const rows = function* (entries: Iterable<{ id: string }> | undefined) {
    for (const { id } of entries ?? []) yield store.get('messages', id)!;
  };
  return {
    forward: (after) => rows(index?.desc(after, floor)),
    backward: (before) => rows(index?.asc(before, floor)),
    keyOf: (m) => [m.createdAt, m.id],
    compare: newestFirst,
    keyOfId: (id) => store.messageKey(id),
    isKey: isTuple(['number', 'string']),
  };
}

/**
 * The owner's threads the caller may read, most recent activity first, by the store's thread key
 * (the latest message ever posted in it, then its id). A raw thread id is a cursor at the thread's
 * current key.
 */
export function threadKeyset(store: Store, caller: Reach): Keyset<Thread> {
  const index = store.threadIndexOf(caller.personId);
  const rows = function* (entries: Iterable<{ id: string }> | undefined) {
    for (const { id } of entries ?? []) if (mayReadThread(store, caller, id)) yield store.get('threads', id)!;
  };
  return {
    forward: (after) => rows(index?.desc(after)),
    backward: (before) => rows(index?.asc(before)),
    keyOf: (t) => store.threadKey(t.id)!,
    compare: newestFirst,
    keyOfId: (id) => store.threadKey(id),
    isKey: isTuple(['number', 'string', 'string']),
  };
}

const byName = (a: OrderKey, b: OrderKey) =>
  String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]));

/** People by display name then id (friends, participants); a raw person id is a cursor even once they left the list. */
export function peopleKeyset(store: Store, people: PersonOut[]): Keyset<PersonOut> {
  const keyOf = (p: PersonOut): OrderKey => [p.displayName, p.id];
  return arrayKeyset(
    [...people].sort((a, b) => byName(keyOf(a), keyOf(b))),
    {
      keyOf,
      compare: byName,
      isKey: isTuple(['string', 'string']),
      keyOfId: (id) => {
        const p = store.get('people', id);
        return p ? [p.displayName, p.id] : undefined;
      },
    },
  );
}
