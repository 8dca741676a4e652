import { accessTotals, messagesReadCount, totalId } from '../audit/access-totals.js';
import type { Store } from '../store/store.js';

/** What a client read, from the platform's own access log: what it may still keep. */
export interface Retained {
  clientId: string;
  /** Distinct messages it read (API responses and socket deliveries). */
  messages: number;
  /** Distinct senders of those messages that still exist (a deleted message's sender is unknown). */
  people: string[];
}

/**
 * What `clientId` read, for one person's tokens (`ownerId`) or for everyone: every read the access
 * log counted (its totals, so folded old entries count too), since a partner can keep any copy it
 * ever received (README, "Retained copies and deletion requests"). Senders come from the messages
 * still in the store.
 */
export function retainedBy(store: Store, clientId: string, ownerId?: string): Retained {
  const totals = accessTotals(store);
  const row = totals.get(ownerId === undefined ? totalId.client(clientId) : totalId.grant(clientId, ownerId));
  const messages = new Set(row?.sets['messagesRead'] ?? []);
  const people = new Set<string>();
  for (const id of messages) {
    const sender = store.get('messages', id)?.senderId;
    if (sender) people.add(sender);
  }
  return { clientId, messages: messagesReadCount(row), people: [...people].sort() };
}

/** "23 messages from 4 people" (singular forms for 1). */
export function describeRetained(r: Pick<Retained, 'messages' | 'people'>): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  return `${n(r.messages, 'message', 'messages')} from ${n(r.people.length, 'person', 'people')}`;
}
