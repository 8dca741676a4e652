import type { Message } from './schema.js';

/**
 * Messages are most of what the store holds, and the only rows that grow with history (README
 * "Performance"). Each is kept in one compact form:
 * - its `threadId`, `senderId` and `via` are the very strings of the thread, person and client rows
 *   (`sameAs`), not one copy per message as `JSON.parse` and a request's URL give: 24–40 bytes each;
 * - its `text`, when equal to the text of the message kept just before it, is that very string: a
 *   partner's "now playing" goes to each friend's thread in turn, with the same text (a request body
 *   gives a new copy each time: about 60 bytes for a short text);
 * - its fields sit in the object itself, in the schema's order: an object a validator built field by
 *   field keeps the fields past the fourth in a separate array (40 bytes more).
 * Same fields, same values, same JSON.
 * @param sameAs the stored id string equal to `id` in the collection the field refers to, or `id`;
 *   `text`: the string kept for an equal text just before (`sameAsLast`), or the one given.
 */
export function compactMessage(
  m: Message,
  sameAs: {
    thread(id: string): string;
    person(id: string): string;
    client(id: string): string;
    text(text: string): string;
  },
): Message {
  const { id, nowPlaying, createdAt } = m;
  const text = sameAs.text(m.text);
  const threadId = sameAs.thread(m.threadId);
  const senderId = sameAs.person(m.senderId);
  if (m.via === undefined) {
    return nowPlaying === undefined
      ? { id, threadId, senderId, text, createdAt }
      : { id, threadId, senderId, text, nowPlaying, createdAt };
  }
  const via = sameAs.client(m.via);
  return nowPlaying === undefined
    ? { id, threadId, senderId, text, via, createdAt }
    : { id, threadId, senderId, text, nowPlaying, via, createdAt };
}

/**
 * A function that returns the string it kept last when given an equal one, and otherwise keeps and
 * returns the one given: one string for a run of equal values (`compactMessage`'s text).
 */
export function sameAsLast(): (value: string) => string {
  let last: string | undefined;
  return (value) => (value === last ? last : (last = value));
}
