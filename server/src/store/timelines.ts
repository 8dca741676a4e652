import { randomUUID } from 'node:crypto';
import { ConflictError } from '../errors.js';
import { MAX_EPOCH_MS, type DeletedMessage, type Message, type Thread } from './schema.js';
import { compareKeys, SortedKeys } from './sorted-keys.js';

/**
 * The order of the timelines (README "Paging"): a message's key is `[createdAt, id]`; a thread's key
 * is the key of the latest message ever posted in it (a deletion does not move it back), or
 * `[createdAt, '']` while it has none, followed by its id; a person's threads go by that key.
 */
export type MessageKey = readonly [number, string];
export type ThreadKey = readonly [number, string, string];

/** New message ids carry their creation time and a counter: `m_<ms:9><n:4>_<random:8>` (base 36, hex). */
const STAMPED_ID = /^m_([0-9a-z]{9})([0-9a-z]{4})_[0-9a-f]{8}$/;
/** Deleted messages whose id does not carry its time (seeded ids) whose key is kept, for cursors. */
export const MAX_TOMBSTONES = 10_000;

/** 8 random hex digits: the first 32 bits of a v4 UUID (from Node's buffered entropy: no syscall per message). */
const random32 = () => randomUUID().slice(0, 8);

function stampedId(createdAt: number, counter: number): string {
  return `m_${createdAt.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}_${random32()}`;
}

/** `[createdAt, id]` read from a stamped message id; undefined for other ids. */
export function keyOfStampedId(id: string): MessageKey | undefined {
  const m = STAMPED_ID.exec(id);
  return m ? [parseInt(m[1]!, 36), id] : undefined;
}

/**
 * Indexes kept in step with the messages and threads tables (store.ts registers the hooks): each
 * thread's messages in key order, each thread's latest activity, each person's threads in activity
 * order. A page of any of them costs a binary search plus the page.
 */
export class Timelines {
  readonly #messages = new Map<string, SortedKeys>();
  readonly #activity = new Map<string, MessageKey>();
  readonly #threadsOf = new Map<string, SortedKeys>();
  /** Thread id → the key it is filed under in its participants' lists, and those participants. */
  readonly #filed = new Map<string, { key: ThreadKey; createdAt: number; people: readonly string[] }>();
  /** Deleted messages whose id does not carry its time: their key and thread, for cursors (kept in step with the `deletedMessages` rows). */
  readonly #gone = new Map<string, { key: MessageKey; threadId: string }>();
  #latest: MessageKey = [0, ''];
  #stampedAt = 0;
  #counter = 0;

  readonly messageHooks = {
    added: (m: Message) => this.#messageAdded(m),
    removed: (m: Message) => this.#messageRemoved(m),
    cleared: () => {
      this.#messages.clear();
      this.#activity.clear();
      this.#latest = [0, ''];
      this.#stampedAt = 0;
    },
  };
  readonly tombstoneHooks = {
    added: (d: DeletedMessage) => this.#gone.set(d.id, { key: [d.createdAt, d.id], threadId: d.threadId }),
    removed: (d: DeletedMessage) => this.#gone.delete(d.id),
    cleared: () => this.#gone.clear(),
  };
  readonly threadHooks = {
    added: (t: Thread) => this.#file(t.id, t.createdAt, t.participantIds),
    removed: (t: Thread) => this.#unfile(t.id),
    cleared: () => {
      this.#threadsOf.clear();
      this.#filed.clear();
    },
  };

  /**
   * Id and time for a new message: never earlier than the latest message stored, and its key
   * greater than every key so far (so "newer than" queries see it). `nowMs` is the clock's time.
   * @throws ConflictError (409) when that would be after MAX_EPOCH_MS (a stored message dated there).
   */
  stamp(nowMs: number): { id: string; createdAt: number } {
    let createdAt = Math.max(nowMs, this.#latest[0], this.#stampedAt);
    this.#counter = createdAt === this.#stampedAt ? this.#counter + 1 : 0;
    let id = stampedId(createdAt, this.#counter);
    if (compareKeys([createdAt, id], this.#latest) <= 0) {
      // Same millisecond as a stored message whose id sorts higher: move on by one millisecond.
      createdAt += 1;
      this.#counter = 0;
      id = stampedId(createdAt, 0);
    }
    if (createdAt > MAX_EPOCH_MS)
      throw new ConflictError(
        'The stored history already reaches the last time a date can hold: no new message can be ordered after it',
      );
    this.#stampedAt = createdAt;
    return { id, createdAt };
  }

  /** The thread's messages (ids by key), or undefined when it has none. */
  messagesIn(threadId: string): SortedKeys | undefined {
    return this.#messages.get(threadId);
  }
  /** A person's threads (ids by thread key), or undefined when they have none. */
  threadsOf(personId: string): SortedKeys | undefined {
    return this.#threadsOf.get(personId);
  }
  /** The key `threadId` is ordered by, undefined when no such thread is indexed. */
  threadKey(threadId: string): ThreadKey | undefined {
    return this.#filed.get(threadId)?.key;
  }
  /** Time (ms) of the latest message ever posted in the thread during this run, if any. */
  lastActivityAt(threadId: string): number | undefined {
    return this.#activity.get(threadId)?.[0];
  }
  /**
   * Key of a message of `threadId`, stored or deleted, for a cursor: from its stamped id (which says
   * nothing the id does not), else from the row or the tombstone when that message is or was in
   * `threadId`; undefined otherwise, so an id from another thread reveals neither its time nor that it
   * exists.
   */
  messageKeyIn(threadId: string, id: string, row: Message | undefined): MessageKey | undefined {
    const stamped = keyOfStampedId(id);
    if (stamped) return stamped;
    if (row) return row.threadId === threadId ? [row.createdAt, row.id] : undefined;
    const gone = this.#gone.get(id);
    return gone?.threadId === threadId ? gone.key : undefined;
  }

  #messageAdded(m: Message): void {
    const key: MessageKey = [m.createdAt, m.id];
    let list = this.#messages.get(m.threadId);
    if (!list) this.#messages.set(m.threadId, (list = new SortedKeys()));
    list.insert(key, m.id);
    if (compareKeys(key, this.#latest) > 0) this.#latest = key;
    const activity = this.#activity.get(m.threadId);
    if (activity && compareKeys(key, activity) <= 0) return;
    this.#activity.set(m.threadId, key);
    const filed = this.#filed.get(m.threadId);
    if (filed) this.#file(m.threadId, filed.createdAt, filed.people);
  }

  #messageRemoved(m: Message): void {
    const list = this.#messages.get(m.threadId);
    list?.remove([m.createdAt, m.id], m.id);
    if (list?.size === 0) this.#messages.delete(m.threadId);
  }

  /** (Re)files a thread under its current key in each participant's list. */
  #file(threadId: string, createdAt: number, people: readonly string[]): void {
    this.#unfile(threadId);
    const activity = this.#activity.get(threadId) ?? [createdAt, ''];
    const key: ThreadKey = [activity[0], activity[1], threadId];
    for (const personId of people) {
      let list = this.#threadsOf.get(personId);
      if (!list) this.#threadsOf.set(personId, (list = new SortedKeys()));
      list.insert(key, threadId);
    }
    this.#filed.set(threadId, { key, createdAt, people });
  }

  #unfile(threadId: string): void {
    const filed = this.#filed.get(threadId);
    if (!filed) return;
    for (const personId of filed.people) this.#threadsOf.get(personId)?.remove(filed.key, threadId);
    this.#filed.delete(threadId);
  }
}
