import type { Message, Person, Thread } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { MessageOut, PersonOut, ThreadOut } from './schemas.js';

/** What a partner sees of a person: id, username, display name (never the password hash). */
export function personOut(p: Person): PersonOut {
  return { id: p.id, username: p.username, displayName: p.displayName };
}

/** A message as the API and the partner socket send it, with its sender's public identity. */
export function messageOut(store: Store, m: Message): MessageOut {
  const sender = store.get('people', m.senderId);
  return {
    id: m.id,
    threadId: m.threadId,
    sender: sender ? personOut(sender) : { id: m.senderId, username: 'unknown', displayName: 'Unknown' },
    text: m.text,
    ...(m.nowPlaying ? { nowPlaying: m.nowPlaying } : {}),
    ...(m.via ? { via: m.via } : {}),
    createdAt: m.createdAt,
  };
}

/** Time (ms) of the last message in a thread, or its creation. */
export function lastActivityAt(store: Store, t: Thread, visible?: (m: Message) => boolean): number {
  const ids = store.messageIdsIn(t.id);
  for (let i = ids.length - 1; i >= 0; i--) {
    const m = store.get('messages', ids[i]!)!;
    if (!visible || visible(m)) return m.createdAt;
  }
  return t.createdAt;
}

/**
 * A thread without its participants (those need `threads:participants`) nor a 1:1 title. With
 * `visible`, the count and last activity cover only the messages the caller may read (so they
 * never reveal a history the policy hides).
 */
export function threadOut(store: Store, t: Thread, visible?: (m: Message) => boolean): ThreadOut {
  const messageCount = visible
    ? store.messageIdsIn(t.id).filter((id) => visible(store.get('messages', id)!)).length
    : store.messageCountIn(t.id);
  return {
    id: t.id,
    kind: t.kind,
    ...(t.kind === 'group' && t.title ? { title: t.title } : {}),
    messageCount,
    lastActivityAt: lastActivityAt(store, t, visible),
  };
}
