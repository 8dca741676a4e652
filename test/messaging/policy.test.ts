import { beforeEach, describe, expect, it } from '@jest/globals';
import { openMessagingWorld, type MessagingWorld } from '../helpers/messaging-world.js';

const tunewave = { clientId: 'tunewave', personId: 'p_alice' };
const reelbox = { clientId: 'reelbox', personId: 'p_alice' };
const page = { limit: 50 };

describe('policy modes', () => {
  let w: MessagingWorld;
  beforeEach(async () => {
    w = await openMessagingWorld();
  });

  it('When the policy is broad, then a client reads every thread of the owner, even one it never posted in', () => {
    expect(
      w.service
        .threads(tunewave, page)
        .body.items.map((t) => t.id)
        .sort(),
    ).toEqual(['g_family', 'g_weekend', 't_alice_bob', 't_alice_carol']);
    expect(w.service.messages(tunewave, 'g_weekend', page).body.items).toHaveLength(5);
    expect(w.service.participants(tunewave, 'g_weekend', page).body.items).toHaveLength(4);
  });

  it('When the policy is least-privilege, then only threads the client posted into are listed, and only from its first post on', async () => {
    await w.setPolicy('least-privilege');
    expect(w.service.threads(tunewave, page).body.items).toEqual([]);
    expect(() => w.service.messages(tunewave, 'g_weekend', page)).toThrow(expect.objectContaining({ status: 404 }));
    await w.service.post(tunewave, 'g_weekend', { text: 'Now playing: a hiking song' });
    expect(w.service.threads(tunewave, page).body.items.map((t) => t.id)).toEqual(['g_weekend']);
    // Posting never unlocks the thread's history: only its own post so far.
    expect(w.service.messages(tunewave, 'g_weekend', page).body.items.map((m) => m.text)).toEqual([
      'Now playing: a hiking song',
    ]);
    await w.social.send('p_carol', 'g_weekend', { text: 'Nice song!' });
    expect(w.service.messages(tunewave, 'g_weekend', page).body.items.map((m) => m.text)).toEqual([
      'Nice song!',
      'Now playing: a hiking song',
    ]);
    // Another client's posts open nothing for this one.
    expect(() => w.service.messages(reelbox, 'g_weekend', page)).toThrow(expect.objectContaining({ status: 404 }));
  });

  it('When the policy is least-privilege, then participants of threads the client never posted in are hidden (404)', async () => {
    await w.setPolicy('least-privilege');
    expect(() => w.service.participants(tunewave, 'g_weekend', page)).toThrow(expect.objectContaining({ status: 404 }));
    await w.service.post(tunewave, 'g_weekend', { text: 'hello' });
    expect(w.service.participants(tunewave, 'g_weekend', page).body.items).toHaveLength(4);
  });

  it("When the policy is broad, then a client deletes any message in the owner's threads, even another person's", async () => {
    await w.service.remove(tunewave, 'm_0002'); // bob's, in t_alice_bob, not via any client
    expect(w.store.get('messages', 'm_0002')).toBeUndefined();
  });

  it('When the policy is least-privilege, then a client deletes only what it sent for this owner', async () => {
    await w.setPolicy('least-privilege');
    const mine = (await w.service.post(tunewave, 'g_weekend', { text: 'mine' })).body;
    const bobs = (
      await w.service.post({ clientId: 'tunewave', personId: 'p_bob' }, 'g_weekend', { text: 'bob via tunewave' })
    ).body;
    const erins = await w.social.send('p_erin', 'g_weekend', { text: 'erin, after the post' });
    await expect(w.service.remove(tunewave, erins.id)).rejects.toMatchObject({
      status: 403,
      code: 'forbidden_by_policy',
    }); // visible, not its own
    await expect(w.service.remove(tunewave, 'm_0019')).rejects.toMatchObject({ status: 404 }); // erin's, before its post: hidden
    await expect(w.service.remove(tunewave, bobs.id)).rejects.toMatchObject({ status: 403 });
    await expect(w.service.remove(tunewave, 'm_0002')).rejects.toMatchObject({ status: 404 }); // thread never posted in
    await expect(w.service.remove(reelbox, mine.id)).rejects.toMatchObject({ status: 404 });
    expect(w.store.get('messages', 'm_0019')).toBeDefined();
    await w.service.remove(tunewave, mine.id);
    expect(w.store.get('messages', mine.id)).toBeUndefined();
  });
});
