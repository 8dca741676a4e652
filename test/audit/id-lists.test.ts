import { describe, expect, it } from '@jest/globals';
import { createIdListInterner } from '../../server/src/audit/id-lists.js';
import { openMessagingWorld } from '../helpers/messaging-world.js';

const api = {
  clientId: 'tunewave',
  ownerId: 'p_alice',
  scope: 'messages:read',
  operation: 'GET /api/v1/threads/{threadId}/messages',
  channel: 'api' as const,
};

describe('access-log entries share their lists of ids', () => {
  it('When tunewave reads the same page twice, then both entries hold one frozen list of message ids, people and bystanders', async () => {
    const w = await openMessagingWorld();
    await w.authorize('p_alice', 'tunewave');
    const page = () =>
      w.service.messages({ clientId: 'tunewave', personId: 'p_alice' }, 'g_weekend', { limit: 50 }).access;
    const first = w.audit.log({ ...page(), ...api });
    const second = w.audit.log({ ...page(), ...api });
    expect(second.messageIds).toBe(first.messageIds);
    expect(second.peopleIncluded).toBe(first.peopleIncluded);
    expect(second.bystanders).toBe(first.bystanders);
    expect(Object.isFrozen(first.messageIds)).toBe(true);
    expect(first.messageIds.length).toBeGreaterThan(0);
    await w.store.flush();
  });

  it('When two lists differ in one id or in length, then they are never shared', () => {
    const shared = createIdListInterner();
    const ab = shared(['m_a', 'm_b']);
    expect(shared(['m_a', 'm_b'])).toBe(ab);
    expect(shared(['m_a', 'm_c'])).toEqual(['m_a', 'm_c']);
    expect(shared(['m_a'])).toEqual(['m_a']);
    // The key joins with NUL: ids that contain it still never collide.
    expect(shared(['m_a\u0000m_b'])).toEqual(['m_a\u0000m_b']);
    expect(shared(['m_a', 'm_a\u0000m_b'])).toEqual(['m_a', 'm_a\u0000m_b']);
  });

  it('When two lists have the same length and ends but differ inside, then each is answered as itself, in turns', () => {
    const shared = createIdListInterner();
    const axb = ['m_a', 'm_x', 'm_b'];
    const ayb = ['m_a', 'm_y', 'm_b'];
    for (let round = 0; round < 3; round++) {
      expect(shared(axb)).toEqual(axb);
      expect(shared(ayb)).toEqual(ayb);
    }
    expect(shared(ayb)).toBe(shared(ayb));
  });

  it('When more distinct lists than its capacity arrive, then it starts over (bounded) and still answers equal lists', () => {
    const shared = createIdListInterner(2);
    const a = shared(['a']);
    shared(['b']);
    shared(['c']); // full: forgets a and b
    const again = shared(['a']);
    expect(again).toEqual(['a']);
    expect(again).not.toBe(a);
  });
});
