import { describe, expect, it } from '@jest/globals';
import { usePlatform } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

describe('threads on the web', () => {
  const gh = usePlatform();

  it('When a participant opens a thread, then its history is shown', async () => {
    const bob = await loggedInAgent(gh.url, 'bob');
    const page = await bob.get('/threads/t_alice_bob').expect(200);
    expect(page.text).toContain('Are we still on for Thursday?');
  });

  it.each([
    ['carol', 't_alice_bob'],
    ['erin', 'g_book_club'],
    ['alice', 't_does_not_exist'],
  ])('When %s opens %s, which she is not in, then it is 404 and nothing leaks', async (username, threadId) => {
    const agent = await loggedInAgent(gh.url, username);
    const page = await agent.get(`/threads/${threadId}`).expect(404);
    expect(page.text).not.toContain('Are we still on for Thursday?');
    expect(page.text).not.toContain('Left Hand of Darkness');
  });

  it('When a person posts into a thread they are not in, then it is 404 and nothing is stored', async () => {
    const carol = await loggedInAgent(gh.url, 'carol');
    const inbox = await carol.get('/').expect(200);
    const before = gh.store.messageCountIn('t_alice_bob');
    await carol
      .post('/threads/t_alice_bob/messages')
      .type('form')
      .send({ text: 'sneaky', _csrf: csrfFrom(inbox.text) })
      .expect(404);
    expect(gh.store.messageCountIn('t_alice_bob')).toBe(before);
  });

  it('When a person sends and then deletes their own message, then it appears and then is gone', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/threads/g_weekend').expect(200);
    await alice
      .post('/threads/g_weekend/messages')
      .type('form')
      .send({ text: 'See you at 9', _csrf: csrfFrom(page.text) })
      .expect(303);
    const mine = gh.store.all('messages').find((m) => m.text === 'See you at 9')!;
    expect(mine.senderId).toBe('p_alice');
    const after = await alice.get('/threads/g_weekend').expect(200);
    expect(after.text).toContain('See you at 9');
    await alice
      .post(`/messages/${mine.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(after.text) })
      .expect(303);
    expect(gh.store.get('messages', mine.id)).toBeUndefined();
  });

  it('When the compose form sends text twice, then a 400 names the field text, given twice, and nothing is stored', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/threads/g_weekend').expect(200);
    const before = gh.store.all('messages').length;
    const res = await alice
      .post('/threads/g_weekend/messages')
      .type('form')
      .set('Accept', 'application/json')
      .send(`text=a&text=b&_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
      .expect(400);
    expect(res.body.errors).toEqual([{ path: 'text', message: 'Given 2 times: give it once' }]);
    expect(gh.store.all('messages')).toHaveLength(before);
  });

  it("When a person tries to delete someone else's message, then it is refused and the message stays", async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/threads/t_alice_bob').expect(200);
    const bobs = gh.store.all('messages').find((m) => m.threadId === 't_alice_bob' && m.senderId === 'p_bob')!;
    await alice
      .post(`/messages/${bobs.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(403);
    expect(gh.store.get('messages', bobs.id)).toBeDefined();
  });

  it('When an empty message is sent, then it is refused with 400 and nothing is stored', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/threads/t_alice_bob').expect(200);
    const before = gh.store.messageCountIn('t_alice_bob');
    await alice
      .post('/threads/t_alice_bob/messages')
      .type('form')
      .send({ text: '   ', _csrf: csrfFrom(page.text) })
      .expect(400);
    expect(gh.store.messageCountIn('t_alice_bob')).toBe(before);
  });

  it.each(['%ff%fe', '%E0%A4%A', '%'])(
    'When a message form holds a malformed escape (%s), then it is refused with 400 invalid_encoding and nothing is stored',
    async (raw) => {
      const alice = await loggedInAgent(gh.url, 'alice');
      const page = await alice.get('/threads/t_alice_bob').expect(200);
      const before = gh.store.messageCountIn('t_alice_bob');
      const res = await alice
        .post('/threads/t_alice_bob/messages')
        .type('form')
        .set('Accept', 'application/json')
        .send(`text=${raw}&_csrf=${encodeURIComponent(csrfFrom(page.text))}`);
      expect([res.status, res.body.error ?? res.body.type]).toEqual([400, expect.stringMatching(/invalid_encoding/)]);
      expect(gh.store.messageCountIn('t_alice_bob')).toBe(before);
    },
  );

  it('When a person messages a friend for the first time, then a 1:1 thread is created; a non-friend is refused', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const friends = await alice.get('/friends').expect(200);
    expect(friends.text).toContain('Erin Castillo');
    const res = await alice
      .post('/friends/p_erin/message')
      .type('form')
      .send({ _csrf: csrfFrom(friends.text) })
      .expect(303);
    const threadId = res.headers['location']!.split('/').pop()!;
    expect([...(gh.store.get('threads', threadId)?.participantIds ?? [])].sort()).toEqual(['p_alice', 'p_erin']);
    // Same pair again → same thread.
    const again = await alice
      .post('/friends/p_erin/message')
      .type('form')
      .send({ _csrf: csrfFrom(friends.text) })
      .expect(303);
    expect(again.headers['location']).toBe(res.headers['location']);
    const threads = gh.store.all('threads').length;
    await alice
      .post('/friends/p_frank/message')
      .type('form')
      .send({ _csrf: csrfFrom(friends.text) })
      .expect(403);
    expect(gh.store.all('threads').length).toBe(threads);
  });

  it('When a thread is opened, then its unread mark is cleared in the inbox', async () => {
    const erin = await loggedInAgent(gh.url, 'erin');
    const before = await erin.get('/').expect(200);
    expect(before.text).toMatch(/data-thread-id="g_weekend"[\s\S]*?\d+ new/);
    await erin.get('/threads/g_weekend').expect(200);
    const after = await erin.get('/').expect(200);
    const item = /<li class="thread[^"]*" data-thread-id="g_weekend">[\s\S]*?<\/li>/.exec(after.text)![0];
    expect(item).not.toContain('unread"');
    expect(item).toMatch(/unread-mark" hidden/);
  });
});
