import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { ENDPOINTS, stateOf, tokenFor } from '../helpers/api.js';

describe('messaging API endpoints', () => {
  const gh = usePlatform();
  let token: string;
  beforeAll(async () => {
    token = await tokenFor(gh, 'alice');
  });
  const auth = () => ({ Authorization: `Bearer ${token}` });

  it.each(ENDPOINTS)(
    'When $name is called with $scope, then it succeeds, uncached, and one access is logged',
    async (e) => {
      const logged = gh.store.accessLog().length;
      const req = request(gh.url)[e.method](e.path).set(auth());
      const res = await (e.body ? req.send(e.body) : req);
      expect(res.status).toBe(e.ok);
      expect(res.headers['cache-control']).toBe('no-store');
      const log = gh.store.accessLog();
      expect(log).toHaveLength(logged + 1);
      expect(log.at(-1)).toMatchObject({
        clientId: 'tunewave',
        ownerId: 'p_alice',
        scope: e.scope,
        channel: 'api',
        operation: e.name.replace(' /', ' /api/v1/'),
      });
    },
  );

  it('When alice reads /me and her friends, then she gets public identities only', async () => {
    const me = await request(gh.url).get('/api/v1/me').set(auth()).expect(200);
    expect(me.body).toEqual({ id: 'p_alice', username: 'alice', displayName: 'Alice Moreau' });
    const friends = await request(gh.url).get('/api/v1/me/friends?limit=2').set(auth()).expect(200);
    expect(friends.body.items.map((p: { username: string }) => p.username)).toEqual(['bob', 'carol']);
    const rest = await request(gh.url)
      .get(`/api/v1/me/friends?limit=2&max_id=${friends.body.nextCursor}`)
      .set(auth())
      .expect(200);
    expect(rest.body.items.map((p: { username: string }) => p.username)).toEqual(['erin', 'heidi']);
    // A person id works as a cursor too (the `before` alias of `max_id`).
    const byId = await request(gh.url).get('/api/v1/me/friends?limit=2&before=p_carol').set(auth()).expect(200);
    expect(byId.body.items).toEqual(rest.body.items);
  });

  it('When a partner posts a now-playing message, then it lands in the thread via the partner and reads back', async () => {
    const nowPlaying = { kind: 'film', title: 'Nosferatu', url: 'https://example.org/nosferatu' };
    const sent = await request(gh.url)
      .post('/api/v1/threads/t_alice_carol/messages')
      .set(auth())
      .send({ text: '  Watching this  ', nowPlaying })
      .expect(201);
    expect(sent.body).toMatchObject({
      threadId: 't_alice_carol',
      text: 'Watching this',
      via: 'tunewave',
      nowPlaying,
      sender: { id: 'p_alice' },
    });
    const page = await request(gh.url).get('/api/v1/threads/t_alice_carol/messages?limit=1').set(auth()).expect(200);
    expect(page.body.items).toEqual([sent.body]);
    expect(gh.store.get('messages', sent.body.id)).toMatchObject({ via: 'tunewave', senderId: 'p_alice' });
  });

  it('When a partner writes to a friend without a 1:1 thread, then the thread is created; to a stranger, 403', async () => {
    const sent = await request(gh.url)
      .post('/api/v1/me/messages')
      .set(auth())
      .send({ to: 'p_ivan', text: 'Hi Ivan' })
      .expect(201);
    expect([...(gh.store.get('threads', sent.body.threadId)?.participantIds ?? [])].sort()).toEqual([
      'p_alice',
      'p_ivan',
    ]);
    const before = stateOf(gh.store);
    const res = await request(gh.url)
      .post('/api/v1/me/messages')
      .set(auth())
      .send({ to: 'p_judy', text: 'Hi' })
      .expect(403);
    expect(res.body.type).toMatch(/not_friends$/);
    // An unknown id is answered as a person who is not a friend: nothing tells which ids exist.
    const unknown = await request(gh.url)
      .post('/api/v1/me/messages')
      .set(auth())
      .send({ to: 'p_nobody', text: 'Hi' })
      .expect(403);
    expect(unknown.body).toEqual(res.body);
    expect(stateOf(gh.store)).toBe(before);
  });

  it.each([
    ['put', '/api/v1/threads/g_weekend/messages', 'GET, HEAD, POST, OPTIONS'],
    ['post', '/api/v1/me', 'GET, HEAD, OPTIONS'],
    ['patch', '/api/v1/messages/m_0001', 'DELETE, OPTIONS'],
  ] as const)(
    'When %s %s is a method the path does not take, then 405 with Allow, not 404',
    async (method, path, allow) => {
      const before = stateOf(gh.store);
      const res = await request(gh.url)[method](path).set(auth());
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe(allow);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['cache-control']).toBe('no-store'); // the API's own headers
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it.each([
    ['GET', '/api/v1/threads/g_book_club/messages'],
    ['GET', '/api/v1/threads/g_book_club/participants'],
    ['GET', '/api/v1/threads/no_such_thread/messages'],
    ['POST', '/api/v1/threads/g_book_club/messages'],
    ['DELETE', '/api/v1/messages/m_0023'],
  ])('When %s %s names what alice is not in, then 404 and nothing changes', async (method, path) => {
    const before = stateOf(gh.store);
    const req = request(gh.url)[method.toLowerCase() as 'get'](path).set(auth());
    const res = await (method === 'POST' ? req.send({ text: 'sneaky' }) : req);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stateOf(gh.store)).toBe(before);
  });

  it('When a message is deleted through the API, then it is gone and the inbox is told', async () => {
    const deleted: string[] = [];
    const off = gh.platform.events.on('message.deleted', ({ message, via }) =>
      deleted.push(`${message.id} via ${via}`),
    );
    await request(gh.url).delete('/api/v1/messages/m_0001').set(auth()).expect(204);
    off();
    expect(gh.store.get('messages', 'm_0001')).toBeUndefined();
    expect(deleted).toEqual(['m_0001 via tunewave']);
    await request(gh.url).delete('/api/v1/messages/m_0001').set(auth()).expect(404);
  });
});
