import type { Message, Person, Thread } from '../store/schema.js';
import { messageFloor, type Reach } from './policy.js';
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

/**
 * A thread without its participants (those need `threads:participants`) nor a 1:1 title. The count
 * covers only the messages the caller may read (so it never reveals a history the policy hides);
 * `lastActivityAt` is the time of the latest message posted (what the thread list is ordered by).
 */
export function threadOut(store: Store, caller: Reach, t: Thread): ThreadOut {
  const floor = messageFloor(store, caller, t.id);
  const index = store.messageIndexOf(t.id);
  return {
    id: t.id,
    kind: t.kind,
    ...(t.kind === 'group' && t.title ? { title: t.title } : {}),
    messageCount: (floor ? index?.countFrom(floor) : index?.size) ?? 0,
    lastActivityAt: store.threadKey(t.id)?.[0] ?? t.createdAt,
  };
}
