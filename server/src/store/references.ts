import { authorizationId, pairKey } from './row-ids.js';
import type { World } from './schema.js';
import { keyOfStampedId } from './timelines.js';

/**
 * The first reference in `world` to a row that does not exist, as `collection id: field has "x",
 * not in collection`, or undefined when every reference the platform follows resolves. O(rows).
 *
 * Checked: what the code looks up and cannot do without — a thread's participants, a message's
 * thread and sender, a deleted message's thread, a friendship's two people, a read mark's person and
 * thread, an authorization's person. People, threads and friendships are never deleted, so these always
 * resolve in a world the platform wrote. Not checked, because the platform does produce them: an
 * authorization or a message `via` a client since removed (dynamic registration can delete a
 * client), and history — access-log entries and totals, which name messages, threads and clients
 * that may be gone — and oidc records (expiring, read through oidc-provider).
 */
export function danglingReference(world: World): string | undefined {
  const people = new Set(world.people.map((p) => p.id));
  const threads = new Set(world.threads.map((t) => t.id));
  const missing = (c: string, id: string, field: string, ref: string, target: string) =>
    `${c} ${id}: ${field} has "${ref}", not in ${target}`;
  for (const t of world.threads)
    for (const p of t.participantIds)
      if (!people.has(p)) return missing('threads', t.id, 'participantIds', p, 'people');
  for (const m of world.messages) {
    if (!threads.has(m.threadId)) return missing('messages', m.id, 'threadId', m.threadId, 'threads');
    if (!people.has(m.senderId)) return missing('messages', m.id, 'senderId', m.senderId, 'people');
    // A stamped id carries its creation time, which cursors read from the id (timelines.ts).
    const stamped = keyOfStampedId(m.id);
    if (stamped && stamped[0] !== m.createdAt)
      return `messages ${m.id}: its id says created at ${stamped[0]}, createdAt is ${m.createdAt}`;
  }
  // A deleted seeded message's kept key (README "Paging"): of a thread, for an id that is neither
  // stored (it was deleted) nor stamped (a stamped id carries its key itself).
  const stored = new Set(world.messages.map((m) => m.id));
  for (const d of world.deletedMessages ?? []) {
    if (!threads.has(d.threadId)) return missing('deletedMessages', d.id, 'threadId', d.threadId, 'threads');
    if (stored.has(d.id)) return `deletedMessages ${d.id}: the message is stored, not deleted`;
    if (keyOfStampedId(d.id)) return `deletedMessages ${d.id}: a stamped id carries its own key`;
  }
  const misfiled = (c: string, id: string, expected: string) =>
    `${c} ${id}: id must be "${expected}" (derived from its fields)`;
  for (const f of world.friendships) {
    for (const p of f.personIds) if (!people.has(p)) return missing('friendships', f.id, 'personIds', p, 'people');
    const [a, b] = f.personIds;
    if (f.id !== pairKey(a!, b!)) return misfiled('friendships', f.id, pairKey(a!, b!));
  }
  for (const r of world.readMarks) {
    if (!people.has(r.personId)) return missing('readMarks', r.id, 'personId', r.personId, 'people');
    if (!threads.has(r.threadId)) return missing('readMarks', r.id, 'threadId', r.threadId, 'threads');
    if (r.id !== pairKey(r.personId, r.threadId)) return misfiled('readMarks', r.id, pairKey(r.personId, r.threadId));
  }
  for (const a of world.authorizations) {
    if (!people.has(a.personId)) return missing('authorizations', a.id, 'personId', a.personId, 'people');
    const id = authorizationId(a.personId, a.clientId);
    if (a.id !== id) return misfiled('authorizations', a.id, id);
  }
  return undefined;
}
