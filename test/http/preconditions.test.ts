import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { stateOf, tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';

const PAGE = '/api/v1/threads/g_weekend/messages';

/** RFC 9110 §13: the API sends no entity tag and no date, so few preconditions can hold. */
describe('HTTP preconditions on the messaging API', () => {
  const gh = usePlatform();

  it.each([
    ['If-Match with an entity tag, on a POST', 'post', { 'If-Match': '"abc"' }],
    ['If-Match with a weak tag list, on a DELETE', 'delete', { 'If-Match': 'W/"a", "b"' }],
    ['If-None-Match: *, on a POST', 'post', { 'If-None-Match': '*' }],
    ['If-None-Match: *, on a DELETE', 'delete', { 'If-None-Match': ' * ' }],
    ['If-None-Match: * in a list, on a POST', 'post', { 'If-None-Match': '"a", *' }],
  ] as const)(
    'When a write is sent with %s, then it is 412 problem+json and nothing changes nor is logged',
    async (_, method, headers) => {
      const token = await tokenFor(gh, 'alice', ['messages:read', 'messages:write', 'messages:delete']);
      const target = gh.store.messageIndexOf('g_weekend')!.last()!.id;
      const before = stateOf(gh.store);
      const logged = gh.store.all('accessLog').length;
      const req =
        method === 'post'
          ? request(gh.url).post(PAGE).send({ text: 'conditional' })
          : request(gh.url).delete(`/api/v1/messages/${target}`);
      const res = await req.set('Authorization', `Bearer ${token}`).set(headers).expect(412);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 412, title: 'Precondition Failed' });
      expect(stateOf(gh.store)).toBe(before);
      expect(gh.store.all('accessLog')).toHaveLength(logged);
    },
  );

  it('When a read is sent with If-Match and an entity tag, then it is 412 with no body and no access logged', async () => {
    const token = await tokenFor(gh, 'alice', ['messages:read']);
    const logged = gh.store.all('accessLog').length;
    const res = await request(gh.url)
      .get(PAGE)
      .set('Authorization', `Bearer ${token}`)
      .set('If-Match', '"abc"')
      .expect(412);
    expect(res.body.items).toBeUndefined();
    expect(gh.store.all('accessLog')).toHaveLength(logged);
  });

  it('When the preconditions hold (If-Match: *, dates, If-None-Match with a tag), then the request is served', async () => {
    const token = await tokenFor(gh, 'alice', ['messages:read', 'messages:write']);
    const auth = { Authorization: `Bearer ${token}` };
    await request(gh.url).get(PAGE).set(auth).set('If-Match', '*').expect(200);
    await request(gh.url).get(PAGE).set(auth).set('If-Unmodified-Since', 'Sat, 01 Jan 2000 00:00:00 GMT').expect(200);
    await request(gh.url).post(PAGE).set(auth).set('If-None-Match', '"abc"').send({ text: 'still posted' }).expect(201);
    await request(gh.url).post(PAGE).set(auth).set('If-Match', '*').send({ text: 'posted too' }).expect(201);
  });

  it('When a request would fail without its precondition (401, 400, 404), then it gets that answer, not 412 (RFC 9110 §13.2.1)', async () => {
    await request(gh.url).post(PAGE).set('If-Match', '"abc"').send({ text: 'x' }).expect(401);
    const token = await tokenFor(gh, 'alice', ['messages:read', 'messages:write', 'messages:delete']);
    const auth = { Authorization: `Bearer ${token}` };
    const before = stateOf(gh.store);
    await request(gh.url).get('/api/v1/threads/no_such/messages').set(auth).set('If-Match', '"a"').expect(404);
    await request(gh.url).get('/api/v1/threads?foo=1').set(auth).set('If-Match', '"a"').expect(400);
    await request(gh.url).delete('/api/v1/messages/m_no_such').set(auth).set('If-None-Match', '*').expect(404);
    await request(gh.url)
      .post('/api/v1/threads/no_such/messages')
      .set(auth)
      .set('If-None-Match', '*')
      .send({ text: 'x' })
      .expect(404);
    await request(gh.url).post(PAGE).set(auth).set('If-Match', '"a"').send({ text: 'x', extra: 1 }).expect(400);
    expect(stateOf(gh.store)).toBe(before);
  });
});
