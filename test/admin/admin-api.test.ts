import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import request from 'supertest';
import type { AccessEntry, PolicyMode } from '../../server/src/store/schema.js';
import { usePlatform } from '../helpers/platform.js';
import { stateOf, tokenFor } from '../helpers/api.js';
import { rawRequest } from '../helpers/raw-http.js';

describe('admin API: policy and access log', () => {
  const gh = usePlatform();
  const admin = () => ({ Authorization: `Bearer ${gh.config.ADMIN_TOKEN}` });

  it.each([
    // The admin token is not an OAuth access token: only Bearer is asked for (no DPoP), in its own realm.
    ['no Authorization header', undefined, 'Bearer realm="glasshouse-admin"'],
    [
      'a wrong admin token',
      'Bearer not-the-admin-token',
      'Bearer realm="glasshouse-admin", error="invalid_token", error_description="Not the admin token"',
    ],
    ['a Basic header', 'Basic YWRtaW46YWRtaW4=', 'Bearer realm="glasshouse-admin"'],
  ])(
    'When the admin API is called with %s, then 401 problem details and nothing changes',
    async (_case, header, challenge) => {
      const before = stateOf(gh.store);
      for (const req of [
        request(gh.url).put('/admin/policy').send({ mode: 'least-privilege' }),
        request(gh.url).get('/admin/access-log'),
      ]) {
        const res = await (header ? req.set('Authorization', header) : req);
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['www-authenticate']).toBe(challenge);
      }
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it('When a route that takes no body (reset) is sent one, then 400 and nothing changes', async () => {
    const before = stateOf(gh.store);
    const res = await request(gh.url).post('/admin/reset').set(admin()).send({ x: 1 }).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toContain('no request body');
    expect(stateOf(gh.store)).toBe(before);
  });

  it.each(['/admin/people?foo=1', '/admin/clock?foo=1', '/admin/threads/t_alice_bob/messages?limit=2'])(
    'When %s names a query parameter the route does not take, then 400 naming it',
    async (path) => {
      const res = await request(gh.url).get(path).set(admin()).expect(400);
      expect(res.body.errors[0].path).toMatch(/^query\./);
    },
  );

  it('When a route that takes no body gets an empty chunked one (as some clients send), then it runs; a chunked byte is refused', async () => {
    const chunked = (chunks: string[]) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${gh.url}/admin/clock`, {
          method: 'GET',
          headers: { ...admin(), 'Transfer-Encoding': 'chunked' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        for (const c of chunks) req.write(c);
        req.end();
      });
    expect(await chunked([])).toBe(200);
    expect(await chunked(['x'])).toBe(400);
  });

  it.each(['/admin/exposure?clientId=nope', '/admin/exposure?clientId=nope&username=alice'])(
    'When %s names an unknown client, then 404, with or without a username',
    async (path) => {
      const res = await request(gh.url).get(path).set(admin()).expect(404);
      expect(res.body.detail).toContain('nope');
    },
  );

  it('When an admin path is asked with a method it does not take, then 405 problem details with Allow, and nothing changes', async () => {
    const before = stateOf(gh.store);
    const res = await request(gh.url).delete('/admin/reset').set(admin()).expect(405);
    expect(res.headers['allow']).toBe('POST, OPTIONS');
    const asked = await request(gh.url).options('/admin/reset').set(admin()).expect(204);
    expect(asked.headers['allow']).toBe('POST, OPTIONS');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 405,
      title: 'Method Not Allowed',
      type: expect.stringMatching(/method_not_allowed$/),
    });
    expect(stateOf(gh.store)).toBe(before);
    // Without the admin token it is the 401 of the whole admin API, as for every admin path.
    await request(gh.url).delete('/admin/reset').expect(401);
  });

  it('When Authorization is sent twice, the admin token first, then 400 and nothing changes (RFC 6750 §3.1)', async () => {
    const before = stateOf(gh.store);
    const { answer, socket } = await rawRequest(
      gh.url,
      `PUT /admin/policy HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gh.config.ADMIN_TOKEN}\r\nAuthorization: Bearer x\r\n` +
        'Content-Type: application/json\r\nContent-Length: 26\r\nConnection: close\r\n\r\n{"mode":"least-privilege"}',
    );
    socket.destroy();
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(stateOf(gh.store)).toBe(before);
  });

  it('When a partner token is used on the admin API, then it is refused', async () => {
    const token = await tokenFor(gh, 'alice');
    await request(gh.url).get('/admin/access-log').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('When the policy is switched, then it is persisted and policy.changed is emitted', async () => {
    const seen: PolicyMode[] = [];
    const off = gh.platform.events.on('policy.changed', ({ mode }) => seen.push(mode));
    const res = await request(gh.url).put('/admin/policy').set(admin()).send({ mode: 'least-privilege' }).expect(200);
    expect(res.body).toEqual({ mode: 'least-privilege' });
    expect(gh.store.settings().policy).toBe('least-privilege');
    await request(gh.url).put('/admin/policy').set(admin()).send({ mode: 'broad' }).expect(200);
    off();
    expect(seen).toEqual(['least-privilege', 'broad']);
  });

  it.each([
    ['an unknown mode', '{"mode": "none"}', 'application/json', 400],
    ['an extra field', '{"mode": "broad", "x": 1}', 'application/json', 400],
    ['malformed JSON', '{"mode":', 'application/json', 400],
    ['a __proto__ key', '{"mode": "broad", "__proto__": {}}', 'application/json', 400],
    ['a form body', 'mode=broad', 'application/x-www-form-urlencoded', 415],
  ])('When the policy body is %s, then it is refused and nothing changes', async (_case, raw, type, status) => {
    const before = stateOf(gh.store);
    const res = await request(gh.url).put('/admin/policy').set(admin()).set('Content-Type', type).send(raw);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stateOf(gh.store)).toBe(before);
  });

  it('When the access log is asked for with filters, then matching entries come back newest last', async () => {
    const alice = await tokenFor(gh, 'alice', ['profile', 'messages:read']);
    const bob = await tokenFor(gh, 'bob', ['profile'], 'reelbox');
    const since = Date.now();
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${alice}`).expect(200);
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${bob}`).expect(200);
    await request(gh.url).get('/api/v1/threads').set('Authorization', `Bearer ${alice}`).expect(200);
    const all = (await request(gh.url).get(`/admin/access-log?since=${since}`).set(admin()).expect(200)).body
      .entries as AccessEntry[];
    expect(all.map((e) => `${e.clientId} ${e.operation}`)).toEqual([
      'tunewave GET /api/v1/me',
      'reelbox GET /api/v1/me',
      'tunewave GET /api/v1/threads',
    ]);
    const tunewave = (
      await request(gh.url).get(`/admin/access-log?since=${since}&clientId=tunewave`).set(admin()).expect(200)
    ).body.entries as AccessEntry[];
    expect(tunewave.map((e) => e.operation)).toEqual(['GET /api/v1/me', 'GET /api/v1/threads']);
    const bobs = (await request(gh.url).get('/admin/access-log?ownerId=p_bob&action=read').set(admin()).expect(200))
      .body.entries as AccessEntry[];
    expect(bobs.map((e) => e.clientId)).toEqual(['reelbox']);
    await request(gh.url).get('/admin/access-log?action=peek').set(admin()).expect(400);
    await request(gh.url).get('/admin/access-log?since=yesterday').set(admin()).expect(400);
    // Numbers in decimal digits only, each refused with one message giving the range.
    for (const query of ['since=', 'since', 'limit=', 'limit', 'limit=0x10', 'limit=1e3', 'limit=%205', 'limit=1e20']) {
      const res = await request(gh.url).get(`/admin/access-log?${query}`).set(admin()).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^Expected a whole number from \d+ to \d+/) }),
      ]);
    }
    await request(gh.url).get('/admin/access-log?limit=10&since=0').set(admin()).expect(200);
  });
});
