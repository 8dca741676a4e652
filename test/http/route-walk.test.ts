import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type { Agent } from 'supertest';
import { tokenFor } from '../helpers/api.js';
import { listRoutes, type RouteEntry } from '../helpers/routes.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';
import { logInWithGlasshouse, startDemo, type RunningDemo } from '../partners/helpers/demo.js';
import { csrfOf } from '../partners/helpers/partner.js';

/** The bodies every write route must survive without a 5xx. */
const BODIES: { name: string; type?: string; body?: string; encoding?: string }[] = [
  { name: 'no body' },
  { name: 'a text/plain body', type: 'text/plain', body: 'hello' },
  { name: 'an empty JSON object', type: 'application/json', body: '{}' },
  { name: 'an empty form', type: 'application/x-www-form-urlencoded', body: '' },
  // Not gzip data: the body parser's decoding error (http-errors 400 without a `type`).
  { name: 'a corrupt gzip JSON body', type: 'application/json', body: '{}', encoding: 'gzip' },
  { name: 'a corrupt gzip form', type: 'application/x-www-form-urlencoded', body: 'a=b', encoding: 'gzip' },
];
const WRITES = new Set(['post', 'put', 'patch', 'delete']);
/** Routes that end the caller's session or world run last, so the others still run authenticated. */
const LAST = /logout|reset/;

describe('every route that reads a body answers a missing, mistyped or empty body with a 4xx, never a 5xx', () => {
  let demo: RunningDemo;
  let platformAgent: Agent;
  let platformCsrf: string;
  let partnerAgent: Agent;
  let partnerCsrf: string;
  let accessToken: string;
  const tables: {
    app: string;
    route: RouteEntry;
    send: (r: RouteEntry, b: (typeof BODIES)[number]) => Promise<number>;
  }[] = [];

  beforeAll(async () => {
    demo = await startDemo();
    const { gh, tunewave } = demo;
    platformAgent = await loggedInAgent(gh.url, 'alice');
    platformCsrf = csrfFrom((await platformAgent.get('/').expect(200)).text);
    const login = await logInWithGlasshouse(gh, tunewave, 'alice');
    partnerAgent = login.agent;
    partnerCsrf = csrfOf((await partnerAgent.get('/').expect(200)).text);
    accessToken = await tokenFor(gh, 'alice');
  });
  afterAll(async () => {
    await demo?.close();
  });

  const withBody = (req: supertest.Test, b: (typeof BODIES)[number]) => {
    if (b.type) req.set('Content-Type', b.type);
    if (b.encoding) req.set('Content-Encoding', b.encoding);
    return b.body === undefined ? req : req.send(b.body);
  };

  it('lists the routes of the platform (web, monitor, admin, messaging API, OAuth endpoints) and of a partner app', async () => {
    // oidc-provider is not an express router: its POST endpoints come from its RFC 8414 metadata.
    const metadata = (await supertest(demo.gh.url).get('/.well-known/oauth-authorization-server').expect(200))
      .body as Record<string, unknown>;
    const oauthPosts = ['token_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'registration_endpoint'].map(
      (key) => ({ method: 'post', path: new URL(String(metadata[key])).pathname }),
    );
    const platformRoutes = [...listRoutes(demo.gh.platform.app).filter((r) => WRITES.has(r.method)), ...oauthPosts];
    const partnerRoutes = listRoutes(demo.tunewave.partner.app).filter((r) => WRITES.has(r.method));
    const paths = [...platformRoutes, ...partnerRoutes].map((r) => `${r.method} ${r.path}`);
    // The walk finds routes of every router; a new route is in this list without anyone adding it.
    expect(paths).toEqual(
      expect.arrayContaining([
        'post /monitor/policy',
        'post /monitor/unlock',
        'post /monitor/clients/x/status',
        'put /admin/policy',
        'post /api/v1/threads/x/messages',
        'post /threads/x/messages',
        'post /logout',
        'post /play',
        'post /share',
        'post /token',
      ]),
    );
    for (const route of platformRoutes) {
      tables.push({
        app: 'platform',
        route,
        send: (r, b) => {
          const req = platformAgent[r.method as 'post'](r.path)
            .set('Accept', 'application/json')
            .set('x-csrf-token', platformCsrf);
          if (r.path.startsWith('/admin')) req.set('Authorization', `Bearer ${demo.gh.config.ADMIN_TOKEN}`);
          if (r.path.startsWith('/api/')) req.set('Authorization', `Bearer ${accessToken}`);
          return withBody(req, b).then((res) => res.status);
        },
      });
    }
    for (const route of partnerRoutes) {
      tables.push({
        app: 'tunewave',
        route,
        send: (r, b) =>
          withBody(
            partnerAgent[r.method as 'post'](r.path).set('Accept', 'application/json').set('x-csrf-token', partnerCsrf),
            b,
          ).then((res) => res.status),
      });
    }
    tables.sort((a, b) => Number(LAST.test(a.route.path)) - Number(LAST.test(b.route.path)));
  });

  it('When each write route gets no body, a text/plain body, {} or an empty form, then none answers 5xx', async () => {
    expect(tables.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const { app, route, send } of tables) {
      for (const body of BODIES) {
        const status = await send(route, body);
        if (status >= 500)
          failures.push(`${app} ${route.method.toUpperCase()} ${route.path} with ${body.name}: ${status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it.each([['/monitor/policy'], ['/monitor/clients/tunewave/status'], ['/monitor/unlock']])(
    'When POST %s comes with a valid CSRF header and no body, or a text/plain body, then it answers 400/401 or 415 problem details',
    async (path) => {
      const agent = await loggedInAgent(demo.gh.url, 'alice');
      const csrf = csrfFrom((await agent.get('/monitor').expect(200)).text);
      const none = await agent.post(path).set('Accept', 'application/json').set('x-csrf-token', csrf);
      expect([400, 401]).toContain(none.status);
      const text = await agent
        .post(path)
        .set('Accept', 'application/json')
        .set('x-csrf-token', csrf)
        .set('Content-Type', 'text/plain')
        .send('mode=broad');
      expect(text.status).toBe(415);
      expect(text.headers['content-type']).toMatch(/application\/problem\+json/);
    },
  );
});
