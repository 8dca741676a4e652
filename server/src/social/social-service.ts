import { randomUUID } from 'node:crypto';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { JournalOp, Message, NowPlaying, Person, Thread } from '../store/schema.js';
import { pairKey, type Store } from '../store/store.js';

/** Rows committed in the same journal line as a new message (see `send`). */
export interface AlongRows {
  ops(message: Message): JournalOp[];
  /** Called once the message and these rows are durable, before `message.created`. */
  durable(): void;
}

/** The public face of a person: never the password hash. */
export interface PersonView {
  id: string;
  username: string;
  displayName: string;
}

export function personView(p: Person): PersonView {
  return { id: p.id, username: p.username, displayName: p.displayName };
}

export interface SocialDeps {
  store: Store;
  events: EventBus;
  /** ms since epoch. */
  now: () => number;
  /** New ids for threads (messages get stamped ids from the store: README "Paging"). */
  newId?: (prefix: 't') => string;
}

/** What a new message carries: text and an optional "now playing" card, and the client if via API. */
export interface NewMessage {
  text: string;
  nowPlaying?: NowPlaying;
  via?: string;
}

/**
 * People, friendships, threads and messages, with the platform's own rules: only participants see a
 * thread; only friends start a 1:1; people delete only their own messages (partners follow policy
 * rules in messaging/). Throws NotFoundError for anything the caller may not see.
 */
export function createSocialService({ store, events, now, newId = (p) => `${p}_${randomUUID()}` }: SocialDeps) {
  function person(id: string): Person {
    const p = store.get('people', id);
    if (!p) throw new NotFoundError('No such person');
    return p;
  }

  /** The thread if `personId` is a participant; otherwise 404 (existence is not revealed). */
  function threadFor(personId: string, threadId: string): Thread {
    const t = store.get('threads', threadId);
    if (!t || !t.participantIds.includes(personId)) throw new NotFoundError('No such thread');
    return t;
  }

  function lastMessage(threadId: string): Message | undefined {
    const last = store.messageIndexOf(threadId)?.last();
    return last === undefined ? undefined : store.get('messages', last.id);
  }

  /** Threads of a person, most recent activity first (the store keeps them in that order). */
  function threadsOf(personId: string): Thread[] {
    return store.threadsOf(personId);
  }

  /**
   * Messages of a thread, oldest first: the latest `limit` (all when absent) of those older than
   * `before` (a message id of this thread, deleted or not; an unknown one, or one of another thread, gives none).
   */
  function messagesIn(threadId: string, page: { limit?: number; before?: string } = {}): Message[] {
    const below = page.before === undefined ? undefined : store.messageKeyIn(threadId, page.before);
    if (page.before !== undefined && below === undefined) return [];
    const newestFirst: Message[] = [];
    for (const id of store.messageIndexOf(threadId)?.descIds(below) ?? []) {
      if (page.limit !== undefined && newestFirst.length >= page.limit) break;
      newestFirst.push(store.get('messages', id)!);
    }
    return newestFirst.reverse();
  }

  /**
   * Stores a message and emits `message.created` once it is durable. `along` adds rows that must be
   * durable in the same journal line (the access-log entry of an API write: one append per POST);
   * its `durable` runs before the event. @throws StoreWriteError (nothing stored)
   */
  async function send(senderId: string, threadId: string, input: NewMessage, along?: AlongRows): Promise<Message> {
    return commitMessage(senderId, threadFor(senderId, threadId), [], input, along);
  }

  /** Stores `extra` (a new thread), the message and `along` in one commit, then emits `message.created`. */
  async function commitMessage(
    senderId: string,
    thread: Thread,
    extra: JournalOp[],
    input: NewMessage,
    along?: AlongRows,
  ): Promise<Message> {
    const stamp = store.stampMessage(now());
    const message: Message = {
      id: stamp.id,
      threadId: thread.id,
      senderId,
      text: input.text,
      ...(input.nowPlaying ? { nowPlaying: input.nowPlaying } : {}),
      ...(input.via ? { via: input.via } : {}),
      createdAt: stamp.createdAt,
    };
    await store.commitAll([...extra, { op: 'put', c: 'messages', v: message }, ...(along?.ops(message) ?? [])]);
    along?.durable();
    events.emit('message.created', { message, participantIds: thread.participantIds });
    return message;
  }

  /** The 1:1 thread of two friends, and the op that creates it when it is new. @throws as `directThread`. */
  function directThreadOf(personId: string, otherId: string): { thread: Thread; ops: JournalOp[] } {
    person(otherId);
    if (personId === otherId) throw new ForbiddenError('You cannot start a conversation with yourself');
    const existing = store.threadsOf(personId).find((t) => t.kind === 'direct' && t.participantIds.includes(otherId));
    if (existing) return { thread: existing, ops: [] };
    if (!store.areFriends(personId, otherId))
      throw new ForbiddenError('Only friends can start a conversation', 'not_friends');
    const thread: Thread = { id: newId('t'), kind: 'direct', participantIds: [personId, otherId], createdAt: now() };
    return { thread, ops: [{ op: 'put', c: 'threads', v: thread }] };
  }

  /** Sends to a friend in their 1:1 thread; a new thread is stored in the same commit as the message. */
  async function sendDirect(senderId: string, otherId: string, input: NewMessage, along?: AlongRows): Promise<Message> {
    const { thread, ops } = directThreadOf(senderId, otherId);
    return commitMessage(senderId, thread, ops, input, along);
  }

  /** The 1:1 thread of two friends, created on first use. @throws ForbiddenError if not friends. */
  async function directThread(personId: string, otherId: string): Promise<Thread> {
    const { thread, ops } = directThreadOf(personId, otherId);
    await store.commitAll(ops);
    return thread;
  }

  /** Deletes a message (rules are the caller's); emits `message.deleted`. */
  async function removeMessage(message: Message, deletedBy: string, via?: string, along?: AlongRows): Promise<void> {
    const thread = store.get('threads', message.threadId);
    await store.commitAll([...store.messageDeletionOps(message), ...(along?.ops(message) ?? [])]);
    along?.durable();
    events.emit('message.deleted', {
      message,
      participantIds: thread?.participantIds ?? [],
      deletedBy,
      ...(via ? { via } : {}),
    });
  }

  /** A person deletes one of their own messages in a thread they are in. */
  async function deleteOwn(personId: string, messageId: string): Promise<Message> {
    const message = store.get('messages', messageId);
    if (!message) throw new NotFoundError('No such message');
    threadFor(personId, message.threadId);
    if (message.senderId !== personId) throw new ForbiddenError('You can only delete your own messages');
    await removeMessage(message, personId);
    return message;
  }

  function unreadCount(personId: string, threadId: string): number {
    const mark = store.get('readMarks', pairKey(personId, threadId))?.readAt ?? 0;
    // Newest first, stopping at the read mark: the cost follows the unread messages, not the thread.
    let unread = 0;
    for (const id of store.messageIndexOf(threadId)?.descIds() ?? []) {
      const m = store.get('messages', id)!;
      if (m.createdAt <= mark) break;
      if (m.senderId !== personId) unread += 1;
    }
    return unread;
  }

  async function markRead(personId: string, threadId: string): Promise<void> {
    await store.put('readMarks', { id: pairKey(personId, threadId), personId, threadId, readAt: now() });
  }

  /** Title of a thread as seen by `viewerId`: the group title, or the other person's name. */
  function threadTitle(thread: Thread, viewerId: string): string {
    if (thread.title) return thread.title;
    const other = thread.participantIds.find((id) => id !== viewerId);
    return other ? (store.get('people', other)?.displayName ?? 'Unknown') : 'Just you';
  }

  return {
    person,
    friendsOf: (personId: string) => store.friendIdsOf(personId).map((id) => person(id)),
    threadFor,
    threadsOf,
    lastMessage,
    messagesIn,
    send,
    sendDirect,
    directThread,
    removeMessage,
    deleteOwn,
    unreadCount,
    markRead,
    threadTitle,
  };
}

export type SocialService = ReturnType<typeof createSocialService>;
