import { beforeEach, describe, expect, it } from '@jest/globals';
import { openMessagingWorld, type MessagingWorld } from '../helpers/messaging-world.js';

const alice = { clientId: 'tunewave', personId: 'p_alice' };
const page = { limit: 50 };

describe('messaging service', () => {
  let w: MessagingWorld;
  beforeEach(async () => {
    w = await openMessagingWorld();
  });

  it('When a client reads /me, then only the owner is included', () => {
    const { body, access } = w.service.me(alice);
    expect(body).toEqual({ id: 'p_alice', username: 'alice', displayName: 'Alice Moreau' });
    expect(access).toEqual({ action: 'read', threadIds: [], messageIds: [], peopleIncluded: ['p_alice'] });
  });

  it('When a client reads the friends, then every friend returned is included and no password hash leaks', () => {
    const { body, access } = w.service.friends(alice, page);
    expect(body.items.map((p) => p.username)).toEqual(['bob', 'carol', 'erin', 'heidi', 'ivan']);
    expect(access.peopleIncluded.sort()).toEqual(['p_bob', 'p_carol', 'p_erin', 'p_heidi', 'p_ivan']);
    expect(JSON.stringify(body)).not.toContain('scrypt');
  });

  it('When a client lists threads, then they come newest activity first, without participants or 1:1 titles', () => {
    const { body, access } = w.service.threads(alice, page);
    expect(body.items.map((t) => t.id)).toEqual(['g_family', 'g_weekend', 't_alice_carol', 't_alice_bob']);
    expect(body.items.find((t) => t.id === 't_alice_bob')).toEqual({
      id: 't_alice_bob',
      kind: 'direct',
      messageCount: 4,
      lastActivityAt: expect.any(Number),
    });
    expect(access.peopleIncluded).toEqual([]);
    expect(access.threadIds).toEqual(body.items.map((t) => t.id));
  });

  it('When a client reads the group thread, then the senders of the messages returned are included', () => {
    const { body, access } = w.service.messages(alice, 'g_weekend', page);
    expect(body.items).toHaveLength(5);
    expect(body.items[0]!.text).toBe('Please no peanuts, I am allergic.');
    expect(body.items[0]!.sender).toEqual({ id: 'p_erin', username: 'erin', displayName: 'Erin Castillo' });
    expect(access.peopleIncluded.sort()).toEqual(['p_alice', 'p_bob', 'p_carol', 'p_erin']);
    expect(access.messageIds).toEqual(body.items.map((m) => m.id));
  });

  it('When messages are paged with before, then pages join up to the whole thread, newest first', () => {
    const first = w.service.messages(alice, 'g_weekend', { limit: 2 }).body;
    const second = w.service.messages(alice, 'g_weekend', { limit: 2, before: first.nextCursor! }).body;
    const third = w.service.messages(alice, 'g_weekend', { limit: 2, before: second.nextCursor! }).body;
    expect(third.nextCursor).toBeNull();
    const all = w.service.messages(alice, 'g_weekend', page).body.items;
    expect([...first.items, ...second.items, ...third.items]).toEqual(all);
  });

  it('When a thread the owner is not in is asked for, then it is 404 for messages and participants alike', () => {
    expect(() => w.service.messages(alice, 'g_book_club', page)).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => w.service.participants(alice, 'g_book_club', page)).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => w.service.messages(alice, 'no_such_thread', page)).toThrow(expect.objectContaining({ status: 404 }));
  });

  it('When a client posts, then the message is sent as the owner via the client and the write names the owner', async () => {
    const { body, access } = await w.service.post(alice, 't_alice_bob', {
      text: 'Now playing',
      nowPlaying: { kind: 'track', title: 'Clair de lune' },
    });
    expect(body).toMatchObject({
      threadId: 't_alice_bob',
      via: 'tunewave',
      sender: { id: 'p_alice' },
      nowPlaying: { kind: 'track', title: 'Clair de lune' },
    });
    expect(w.store.get('messages', body.id)).toMatchObject({ senderId: 'p_alice', via: 'tunewave' });
    expect(access).toEqual({
      action: 'write',
      threadIds: ['t_alice_bob'],
      messageIds: [body.id],
      peopleIncluded: ['p_alice'],
    });
  });

  it('When a client writes to a friend with no 1:1 thread yet, then the thread is created; to a non-friend, 403', async () => {
    const { body } = await w.service.postDirect(alice, 'p_heidi', { text: 'hi' });
    expect([...(w.store.get('threads', body.threadId)?.participantIds ?? [])].sort()).toEqual(['p_alice', 'p_heidi']);
    const again = await w.service.postDirect(alice, 'p_heidi', { text: 'again' });
    expect(again.body.threadId).toBe(body.threadId);
    const threads = w.store.all('threads').length;
    await expect(w.service.postDirect(alice, 'p_judy', { text: 'hi' })).rejects.toMatchObject({
      status: 403,
      code: 'not_friends',
    });
    await expect(w.service.postDirect(alice, 'p_nobody', { text: 'hi' })).rejects.toMatchObject({
      status: 403,
      code: 'not_friends',
    });
    expect(w.store.all('threads')).toHaveLength(threads);
  });

  it('When a client deletes a message, then it is gone and the access names its author', async () => {
    const { access } = await w.service.remove(alice, 'm_0002');
    expect(w.store.get('messages', 'm_0002')).toBeUndefined();
    expect(access).toEqual({
      action: 'delete',
      threadIds: ['t_alice_bob'],
      messageIds: ['m_0002'],
      peopleIncluded: ['p_bob'],
    });
  });

  it('When a message of a thread the owner is not in is deleted, then it is 404 and it stays', async () => {
    const inBookClub = w.store.messageIdsIn('g_book_club')[0]!;
    await expect(w.service.remove(alice, inBookClub)).rejects.toMatchObject({ status: 404, detail: 'No such message' });
    expect(w.store.get('messages', inBookClub)).toBeDefined();
  });
});
