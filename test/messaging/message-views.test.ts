import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createMessageViews } from '../../server/src/messaging/message-views.js';
import { messageOut } from '../../server/src/messaging/views.js';
import type { Message } from '../../server/src/store/schema.js';
import { memoryPersistence } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { seedWorld } from '../../seed/world.js';

describe('kept message views answer exactly what building them anew would', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore(memoryPersistence(), () => seedWorld());
  });
  afterAll(() => store.close());

  const message = fc.record(
    {
      id: fc.stringMatching(/^m_[a-z0-9]{1,8}$/),
      threadId: fc.constantFrom('g_weekend', 't_alice_bob'),
      senderId: fc.constantFrom('p_alice', 'p_bob', 'p_nobody'),
      text: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 })), // binary: lone surrogates too
      nowPlaying: fc.record({ kind: fc.constantFrom('track', 'film'), title: fc.string({ minLength: 1 }) }),
      via: fc.constantFrom('tunewave', 'reelbox'),
      createdAt: fc.integer({ min: 0, max: 2 ** 42 }),
    },
    { requiredKeys: ['id', 'threadId', 'senderId', 'text', 'createdAt'] },
  );
  const cursor = fc.option(fc.base64String({ maxLength: 40 }), { nil: null });

  it('When any page of messages is shown (twice), then its text is JSON.stringify of its body, and the body is messageOut of each', () => {
    const views = createMessageViews(store, 8);
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), cursor, cursor, (items, nextCursor, prevCursor) => {
        for (let round = 0; round < 2; round++) {
          const { body, json } = views.page({ items: items as Message[], nextCursor, prevCursor });
          expect(json.toString('utf8')).toBe(JSON.stringify(body));
          expect(JSON.parse(json.toString('utf8'))).toEqual({
            items: items.map((m) => messageOut(store, m as Message)),
            nextCursor,
            prevCursor,
          });
        }
      }),
    );
  });

  it("When a message's row or its sender's row is replaced, then its view is built again", async () => {
    const views = createMessageViews(store);
    const first = store.messageIndexOf('g_weekend')!.last()!.id;
    const stored = store.get('messages', first)!;
    const before = views.out(stored);
    expect(views.out(stored)).toBe(before);
    const sender = store.get('people', stored.senderId)!;
    await store.put('people', { ...sender, displayName: 'Renamed Sender' });
    expect(views.out(stored).sender.displayName).toBe('Renamed Sender');
    const edited = { ...stored, text: 'edited text' };
    expect(views.out(edited).text).toBe('edited text');
    expect(Object.isFrozen(views.out(edited))).toBe(true);
    await store.put('people', sender);
  });
});
