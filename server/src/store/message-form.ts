import type { Message } from './schema.js';

/**
 * Messages are most of what the store holds, and the only rows that grow with history (README
 * "Performance"). Each is kept in one compact form:
 * - its `threadId`, `senderId` and `via` are the very strings of the thread, person and client rows
 *   (`sameIdAs`), not one copy per message as `JSON.parse` and a request's URL give: 24–40 bytes each;
 * - its fields sit in the object itself, in the schema's order: an object a validator built field by
 *   field keeps the fields past the fourth in a separate array (40 bytes more).
 * Same fields, same values, same JSON.
 * @param sameIdAs the stored id string equal to `id` in the collection the field refers to, or `id`.
 */
export function compactMessage(
  m: Message,
  sameIdAs: { thread(id: string): string; person(id: string): string; client(id: string): string },
): Message {
  const { id, text, nowPlaying, createdAt } = m;
  const threadId = sameIdAs.thread(m.threadId);
  const senderId = sameIdAs.person(m.senderId);
  if (m.via === undefined) {
    return nowPlaying === undefined
      ? { id, threadId, senderId, text, createdAt }
      : { id, threadId, senderId, text, nowPlaying, createdAt };
  }
  const via = sameIdAs.client(m.via);
  return nowPlaying === undefined
    ? { id, threadId, senderId, text, via, createdAt }
    : { id, threadId, senderId, text, nowPlaying, via, createdAt };
}
