import { describe, expect, it } from '@jest/globals';
import { memoryPersistence } from '../../server/src/store/persistence.js';
import type { Message } from '../../server/src/store/schema.js';
import { openStore } from '../../server/src/store/store.js';
import { seedWorld } from '../../seed/world.js';

/** A message with fields in the schema's order, as the data file writes them. */
const message = (id: string, extra: Pick<Message, 'nowPlaying' | 'via'>): Message =>
  JSON.parse(
    JSON.stringify({
      id,
      threadId: 't_alice_bob',
      senderId: 'p_alice',
      text: `text of ${id}`,
      ...extra,
      createdAt: 1_700_000_000_000,
    }),
  ) as Message;

describe('the form a message is kept in (compactMessage)', () => {
  const nowPlaying = { kind: 'track', title: 'Song', artist: 'Band' } as const;
  const cases: [string, Message][] = [
    ['no optional field', message('m_plain', {})],
    ['a client (via)', message('m_via', { via: 'tunewave' })],
    ['now playing', message('m_np', { nowPlaying })],
    ['both', message('m_both', { nowPlaying, via: 'reelbox' })],
    ['a client since removed', message('m_gone', { via: 'no-such-client' })],
  ];

  it.each(cases)(
    'When a message with %s is stored, loaded or replayed, then it reads back with the same fields, values and JSON',
    async (_, given) => {
      // Loaded from the world, and put afterwards (the journal's replay and a request's write take this path).
      const store = await openStore(memoryPersistence(), () => ({ ...seedWorld(), messages: [given] }));
      expect(store.get('messages', given.id)).toStrictEqual(given);
      expect(JSON.stringify(store.get('messages', given.id))).toBe(JSON.stringify(given));
      const again = { ...given, id: `${given.id}_2` };
      await store.put('messages', again);
      expect(JSON.stringify(store.get('messages', again.id))).toBe(JSON.stringify(again));
      expect(JSON.stringify(store.snapshot().messages)).toBe(JSON.stringify([given, again]));
    },
  );

  it('When messages with the same text follow one another, then each reads back with its own text (the kept string is shared, never another text)', async () => {
    const store = await openStore(memoryPersistence(), () => seedWorld());
    const texts = ['Now playing: Song', 'Now playing: Song', 'Now playing: Other', 'Now playing: Song'];
    for (const [i, text] of texts.entries())
      // A new string each time, as a request body gives it.
      await store.put('messages', { ...message(`m_same_${i}`, {}), text: JSON.parse(JSON.stringify(text)) as string });
    expect(texts.map((_, i) => store.get('messages', `m_same_${i}`)?.text)).toStrictEqual(texts);
  });
});
