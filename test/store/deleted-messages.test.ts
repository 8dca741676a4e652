import { describe, expect, it } from '@jest/globals';
import { memoryPersistence } from '../../server/src/store/persistence.js';
import type { Message } from '../../server/src/store/schema.js';
import { openStore } from '../../server/src/store/store.js';
import { MAX_TOMBSTONES } from '../../server/src/store/timelines.js';
import { seedWorld } from '../../seed/world.js';

describe('the keys kept for deleted seeded messages (deletedMessages)', () => {
  it(`When more than ${MAX_TOMBSTONES} seeded messages are deleted, then the newest ${MAX_TOMBSTONES} keys are kept and the oldest go; stamped ids keep none`, async () => {
    const world = seedWorld();
    const extra: Message[] = Array.from({ length: MAX_TOMBSTONES + 2 }, (_, i) => ({
      id: `m_x${String(i).padStart(5, '0')}`,
      threadId: 't_alice_bob',
      senderId: 'p_alice',
      text: `old ${i}`,
      createdAt: 1_700_000_000_000 + i,
    }));
    const store = await openStore(memoryPersistence(), () => ({ ...world, messages: [...world.messages, ...extra] }));
    for (const m of extra) await store.commitAll(store.messageDeletionOps(m));
    const kept = store.all('deletedMessages').map((d) => d.id);
    expect(kept).toHaveLength(MAX_TOMBSTONES);
    expect(kept[0]).toBe('m_x00002'); // the two oldest went
    expect(store.messageKeyIn('t_alice_bob', 'm_x00001')).toBeUndefined();
    expect(store.messageKeyIn('t_alice_bob', 'm_x00002')).toEqual([1_700_000_000_002, 'm_x00002']);
    expect(store.messageKeyIn('g_weekend', 'm_x00002')).toBeUndefined(); // another thread's
    // A stamped id carries its key: deleting it keeps nothing.
    const stamped = { ...store.stampMessage(Date.now()), threadId: 't_alice_bob', senderId: 'p_alice', text: 'new' };
    await store.put('messages', stamped);
    await store.commitAll(store.messageDeletionOps(stamped));
    expect(store.all('deletedMessages')).toHaveLength(MAX_TOMBSTONES);
    expect(store.messageKeyIn('t_alice_bob', stamped.id)).toEqual([stamped.createdAt, stamped.id]);
    await store.close();
  }, 30_000);
});
