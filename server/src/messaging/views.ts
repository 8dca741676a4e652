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
export function lastActivityAt(store: Store, t: Thread): number {
  const ids = store.messageIdsIn(t.id);
  const last = ids.length > 0 ? store.get('messages', ids[ids.length - 1]!) : undefined;
  return last?.createdAt ?? t.createdAt;
}

/** A thread without its participants (those need `threads:participants`) nor a 1:1 title. */
export function threadOut(store: Store, t: Thread): ThreadOut {
  return {
    id: t.id,
    kind: t.kind,
    ...(t.kind === 'group' && t.title ? { title: t.title } : {}),
    messageCount: store.messageCountIn(t.id),
    lastActivityAt: lastActivityAt(store, t),
  };
}
