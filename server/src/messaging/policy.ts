import type { Message, PolicyMode } from '../store/schema.js';
import type { Store } from '../store/store.js';

/**
 * The two policy modes (BRIEF "Terms and scopes"), as decisions over the store. Scopes are checked
 * by the routes; these rules say what a client holding the scope may reach of the resource owner's
 * threads, which the caller has already checked the owner is in.
 *
 * - `broad` (as reported in 2018): every thread of the owner, every message in them, all participants.
 * - `least-privilege`: only threads the client has posted into (a message with `via === clientId`);
 *   only messages the client itself sent on behalf of this owner; participants of other threads hidden.
 */
export function policyMode(store: Store): PolicyMode {
  return store.settings().policy;
}

/** May `clientId` read `threadId` (messages, live events)? */
export function mayReadThread(store: Store, clientId: string, threadId: string): boolean {
  return policyMode(store) === 'broad' || store.clientPostedIn(clientId, threadId);
}

/** May `clientId` see who is on `threadId`? Same rule as reading it. */
export function maySeeParticipants(store: Store, clientId: string, threadId: string): boolean {
  return mayReadThread(store, clientId, threadId);
}

/**
 * May `clientId`, acting for `ownerId`, delete `message`? Under least-privilege only a message the
 * client wrote for this same owner: a client never deletes what another person sent, even through it.
 */
export function mayDeleteMessage(store: Store, caller: { clientId: string; personId: string }, message: Message): boolean {
  if (policyMode(store) === 'broad') return true;
  return message.via === caller.clientId && message.senderId === caller.personId;
}
