import type { Message } from '../store/schema.js';
import type { Store } from '../store/store.js';

/**
 * A message as people see it on Glasshouse, in pages and on the live inbox socket alike: the stored
 * message with the sender's display name and the name of the app it came through.
 */
export function messageView(store: Store, m: Message) {
  return {
    ...m,
    senderName: store.get('people', m.senderId)?.displayName ?? 'Someone',
    viaName: m.via ? (store.client(m.via)?.name ?? m.via) : undefined,
  };
}
export type MessageView = ReturnType<typeof messageView>;
