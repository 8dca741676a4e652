import type { Message, PolicyMode } from '../store/schema.js';
import type { Store } from '../store/store.js';

/**
 * The two policy modes (README, "Terms"), as decisions over the store. Scopes are checked
 * by the routes; these rules say what a client holding the scope may reach of the resource owner's
 * threads, which the caller has already checked the owner is in.
 *
 * - `broad` (as reported in 2018): every thread of the owner, every message in them, all participants.
 * - `least-privilege`: only threads the client has posted into *for this owner* (a message with
 *   `via === clientId` and `senderId === ownerId`), and in them only what was said from that first
 *   post on — so posting into a thread never unlocks its history; only messages the client itself
 *   sent on behalf of this owner may be deleted; participants of other threads hidden.
 */
export function policyMode(store: Store): PolicyMode {
  return store.settings().policy;
}

/** The caller of an access: a client acting for a resource owner. */
export interface Reach {
  clientId: string;
  personId: string;
}

/** May the caller read `threadId` (messages, live events)? */
export function mayReadThread(store: Store, caller: Reach, threadId: string): boolean {
  return policyMode(store) === 'broad' || store.firstPostVia(caller.clientId, caller.personId, threadId) !== undefined;
}

/** May the caller read `message` (in a thread it may read)? Under least-privilege: from its first post on. */
export function mayReadMessage(store: Store, caller: Reach, message: Message): boolean {
  if (policyMode(store) === 'broad') return true;
  const first = store.firstPostVia(caller.clientId, caller.personId, message.threadId);
  return first !== undefined && message.createdAt >= first;
}

/**
 * The lowest `[createdAt, id]` key the caller may read in `threadId` (undefined: no limit). Under
 * least-privilege that is the client's first post there for this owner; messages keyed below it
 * are hidden (same rule as `mayReadMessage`).
 */
export function messageFloor(store: Store, caller: Reach, threadId: string): readonly [number, string] | undefined {
  if (policyMode(store) === 'broad') return undefined;
  return [store.firstPostVia(caller.clientId, caller.personId, threadId) ?? Number.POSITIVE_INFINITY, ''];
}

/** May the caller see who is on `threadId`? Same rule as reading it. */
export function maySeeParticipants(store: Store, caller: Reach, threadId: string): boolean {
  return mayReadThread(store, caller, threadId);
}

/**
 * May `clientId`, acting for `ownerId`, delete `message`? Under least-privilege only a message the
 * client wrote for this same owner: a client never deletes what another person sent, even through it.
 */
export function mayDeleteMessage(
  store: Store,
  caller: { clientId: string; personId: string },
  message: Message,
): boolean {
  if (policyMode(store) === 'broad') return true;
  return message.via === caller.clientId && message.senderId === caller.personId;
}
