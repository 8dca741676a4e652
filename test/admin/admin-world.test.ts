import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { adminRoutes } from '../../server/src/admin/admin-routes.js';
import { seedWorld } from '../../seed/world.js';
import { stateOf } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

describe('the admin API for testers', () => {
  const gh = usePlatform();
  const admin = () => ({ Authorization: `Bearer ${gh.config.ADMIN_TOKEN}` });

  it('When a token is minted for alice and Tunewave, then it works on the API and the grant shows on her Apps page', async () => {
    const res = await request(gh.url)
      .post('/admin/tokens')
      .set(admin())
      .send({ username: 'alice', clientId: 'tunewave', scopes: ['profile', 'messages:read'] })
      .expect(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'profile messages:read' });
    expect(res.headers['cache-control']).toBe('no-store');
    const me = await request(gh.url)
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${res.body.access_token}`)
      .expect(200);
    expect(me.body.username).toBe('alice');
    const apps = await (await loggedInAgent(gh.url, 'alice')).get('/settings/apps').expect(200);
    expect(apps.text).toContain('data-app="tunewave"');
  });

  it.each([
    ['an unknown person', 404, { username: 'mallory', clientId: 'tunewave', scopes: ['profile'] }],
    ['an unknown client', 404, { username: 'alice', clientId: 'nope', scopes: ['profile'] }],
    ['an unknown scope', 400, { username: 'alice', clientId: 'tunewave', scopes: ['everything'] }],
    ['no scopes', 400, { username: 'alice', clientId: 'tunewave', scopes: [] }],
    ['an extra field', 400, { username: 'alice', clientId: 'tunewave', scopes: ['profile'], admin: true }],
  ])('When tokens are asked for %s, then it is refused (%i) and nothing is stored', async (_what, status, body) => {
    const before = stateOf(gh.store);
    const res = await request(gh.url).post('/admin/tokens').set(admin()).send(body).expect(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(stateOf(gh.store)).toBe(before);
  });

  it.each([
    ['post', '/admin/reset'],
    ['post', '/admin/tokens'],
    ['get', '/admin/exposure'],
    ['patch', '/admin/clients/tunewave'],
    ['get', '/admin/clients'],
    ['get', '/admin/people'],
    ['post', '/admin/grants/revoke'],
    ['get', '/admin/threads/g_weekend/messages'],
  ] as const)(
    'When %s %s comes without the admin token, then it is 401 with a Bearer challenge',
    async (method, path) => {
      const res = await request(gh.url)[method](path).set('Authorization', 'Bearer not-the-admin-token');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    },
  );

  it('When the world is reset, then it is the seed again and earlier tokens stop working', async () => {
    const minted = await request(gh.url)
      .post('/admin/tokens')
      .set(admin())
      .send({ username: 'bob', clientId: 'reelbox', scopes: ['messages:write'] })
      .expect(200);
    await request(gh.url)
      .post('/api/v1/me/messages')
      .set('Authorization', `Bearer ${minted.body.access_token}`)
      .send({ to: 'p_alice', text: 'before reset' })
      .expect(201);
    await request(gh.url).post('/admin/reset').set(admin()).expect(200, { people: 10, threads: 10, messages: 29 });
    expect(gh.store.all('messages')).toEqual(seedWorld().messages);
    expect(gh.store.all('authorizations')).toEqual([]);
    await request(gh.url).get('/api/v1/threads').set('Authorization', `Bearer ${minted.body.access_token}`).expect(401);
  });

  it('When a grant is revoked through the admin API, then its tokens stop at once; a second revoke is 404', async () => {
    const minted = await request(gh.url)
      .post('/admin/tokens')
      .set(admin())
      .send({ username: 'carol', clientId: 'tunewave', scopes: ['profile'] })
      .expect(200);
    await request(gh.url)
      .post('/admin/grants/revoke')
      .set(admin())
      .send({ username: 'carol', clientId: 'tunewave' })
      .expect(204);
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${minted.body.access_token}`).expect(401);
    await request(gh.url)
      .post('/admin/grants/revoke')
      .set(admin())
      .send({ username: 'carol', clientId: 'tunewave' })
      .expect(404);
  });

  it('When a thread is read through the admin API, then all its messages come back; an unknown thread is 404', async () => {
    const res = await request(gh.url).get('/admin/threads/t_alice_bob/messages').set(admin()).expect(200);
    expect(res.body.messages.map((m: { text: string }) => m.text)).toContain('Are we still on for Thursday?');
    await request(gh.url).get('/admin/threads/nope/messages').set(admin()).expect(404);
  });

  it('When the people are listed, then every seeded person comes with id, username and display name only', async () => {
    const res = await request(gh.url).get('/admin/people').set(admin()).expect(200);
    expect(res.body.people).toHaveLength(10);
    expect(res.body.people).toContainEqual({ id: 'p_erin', username: 'erin', displayName: 'Erin Castillo' });
    expect(JSON.stringify(res.body)).not.toContain('scrypt');
  });

  it('When a now-playing message is read through the admin API, then its card comes with it', async () => {
    const token = (
      await request(gh.url)
        .post('/admin/tokens')
        .set(admin())
        .send({ username: 'alice', clientId: 'tunewave', scopes: ['messages:write'] })
        .expect(200)
    ).body.access_token;
    const nowPlaying = { kind: 'track', title: 'Clair de lune', artist: 'Debussy' };
    await request(gh.url)
      .post('/api/v1/me/messages')
      .set('Authorization', `Bearer ${token}`)
      .send({ to: 'p_bob', text: 'Listening', nowPlaying })
      .expect(201);
    const res = await request(gh.url).get('/admin/threads/t_alice_bob/messages').set(admin()).expect(200);
    expect(res.body.messages.at(-1)).toMatchObject({ text: 'Listening', nowPlaying, via: 'tunewave' });
  });

  it('When a client status is not one of the two, then it is 400 and the client is unchanged', async () => {
    await request(gh.url).patch('/admin/clients/reelbox').set(admin()).send({ status: 'deleted' }).expect(400);
    await request(gh.url).patch('/admin/clients/unknown').set(admin()).send({ status: 'active' }).expect(404);
    expect(gh.store.client('reelbox')?.status).toBe('active');
  });

  it('When the admin OpenAPI document is asked with another method, then it is 405 with Allow (OPTIONS: 204), token or not', async () => {
    for (const headers of [{}, admin()]) {
      const post = await request(gh.url).post('/admin/openapi.json').set(headers).expect(405);
      expect(post.headers['allow']).toBe('GET, HEAD, OPTIONS');
      expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(post.headers['cache-control']).toBe('no-store');
      const options = await request(gh.url).options('/admin/openapi.json').set(headers).expect(204);
      expect(options.headers['allow']).toBe('GET, HEAD, OPTIONS');
    }
  });

  it('When the admin OpenAPI document is read, then it is public and describes every admin route', async () => {
    const doc = await request(gh.url).get('/admin/openapi.json').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const router = adminRoutes({
      adminToken: gh.config.ADMIN_TOKEN,
      store: gh.store,
      events: gh.platform.events,
      clock: gh.platform.clock,
      faults: gh.platform.faults,
      tokens: gh.platform.tokens,
      clients: gh.platform.oauth.clients,
      seed: seedWorld,
    });
    const routes = routesOf(router).filter((r) => r.path !== '/openapi.json');
    expect(routes.length).toBeGreaterThanOrEqual(17);
    for (const { method, path } of routes)
      expect([method, path, doc.body.paths[path]?.[method] !== undefined]).toEqual([method, path, true]);
    // Documented from the same route list as the router: what it parses is what it documents.
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/tokens/expire', '/tokens/revoke', '/clock', '/clock/advance', '/faults']),
    );
    expect(doc.body.components.schemas.TokenRequest.properties.expiresIn).toMatchObject({
      type: 'integer',
      minimum: 1,
    });
    expect(doc.body.paths['/clock/advance'].post.responses['409']).toBeDefined();
    await request(gh.url).get('/docs/admin/').expect(200);
  });
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (method, OpenAPI path) an express router answers, nested routers included. */
function routesOf(router: unknown): { method: string; path: string }[] {
  const stack = (router as { stack: Layer[] }).stack;
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      // `_all`: the 405 answer for the other methods of a documented path (refuseOtherMethods).
      return Object.keys(layer.route.methods)
        .filter((method) => method !== '_all')
        .map((method) => ({ method, path }));
    }
    return layer.handle?.stack ? routesOf(layer.handle) : [];
  });
}
