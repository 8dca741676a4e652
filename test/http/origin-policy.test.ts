import { beforeAll, describe, expect, it } from '@jest/globals';
import request, { type Agent, type Test } from 'supertest';
import { ConfigError, loadConfig } from '../../server/src/config.js';
import { createOriginPolicy, FORBIDDEN_ORIGIN } from '../../server/src/http/origin-policy.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { usePlatform } from '../helpers/platform.js';
import { listRoutes } from '../helpers/routes.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

describe('the origin policy of cookie-authenticated endpoints', () => {
  const config = loadConfig({
    PLATFORM_URL: 'http://localhost:3000',
    ALLOWED_ORIGINS: 'http://localhost:5173/, https://demo.example',
  });
  const policy = createOriginPolicy(config);

  it('When ALLOWED_ORIGINS lists origins, then they are parsed (trailing slash dropped) and anything that is not an origin is refused at start', () => {
    expect(config.ALLOWED_ORIGINS).toEqual(['http://localhost:5173', 'https://demo.example']);
    expect(loadConfig({}).ALLOWED_ORIGINS).toEqual([]);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'http://x.example/path' })).toThrow(ConfigError);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'not a url' })).toThrow(ConfigError);
  });

  it.each([
    ['the platform origin', 'http://localhost:3000', 'localhost:3000', true],
    ['an allowed origin', 'https://demo.example', 'localhost:3000', true],
    ['the origin the request was addressed to', 'http://127.0.0.1:3000', '127.0.0.1:3000', true],
    ['no Origin (not a browser page)', undefined, 'localhost:3000', true],
    ['another port of localhost', 'http://localhost:3001', 'localhost:3000', false],
    ['a foreign site', 'http://evil.example', 'localhost:3000', false],
    ['an opaque origin', 'null', 'localhost:3000', false],
  ])('When the Origin is %s, then allows() says %s', (_name, origin, host, allowed) => {
    expect(policy.allows(origin, host)).toBe(allowed);
  });
});

/**
 * A page on another port of the same host (the demo's Tunewave): the same *site*, so the platform's
 * cookies go along.
 */
const FOREIGN = 'http://localhost:47301';
/** oidc-provider's client-based CORS (provider-config.ts): partners call from their servers. */
const NOT_FOR_BROWSERS = 'origin http://localhost:47301 not allowed for client: tunewave';
const WRITES = new Set(['post', 'put', 'patch', 'delete']);

describe('which endpoints the web forms’ Origin guard covers', () => {
  const gh = usePlatform();
  let alice: Agent;
  let metadata: Record<string, unknown>;
  beforeAll(async () => {
    alice = await loggedInAgent(gh.url, 'alice');
    metadata = (await request(gh.url).get('/.well-known/oauth-authorization-server').expect(200)).body;
  });
  const pathOf = (key: string) => new URL(String(metadata[key])).pathname;
  const basic = (req: Test) => req.auth('tunewave', PARTNER_SECRETS.tunewave).type('form');

  /**
   * oidc-provider's POST endpoints: each authenticates the client (or checks its own xsrf token), not
   * our cookie; with the cookie and a foreign Origin, each answers its own RFC 6749 JSON.
   */
  const notForBrowsers = { error: 'invalid_request', error_description: NOT_FOR_BROWSERS };
  const PROVIDER_POSTS: [string, () => string, (req: Test) => Test, number, Record<string, unknown>][] = [
    // The reviewer's input: curl -X POST /token -H 'Origin: http://localhost:47301' -u tunewave:… refresh_token=x
    [
      'the token endpoint (tunewave)',
      () => pathOf('token_endpoint'),
      (req) => basic(req).send({ grant_type: 'refresh_token', refresh_token: 'x' }),
      400,
      notForBrowsers,
    ],
    [
      'the token endpoint (unknown client)',
      () => pathOf('token_endpoint'),
      (req) => req.type('form').send({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'nobody' }),
      401,
      { error: 'invalid_client' },
    ],
    [
      'the revocation endpoint',
      () => pathOf('revocation_endpoint'),
      (req) => basic(req).send({ token: 'x' }),
      400,
      notForBrowsers,
    ],
    [
      'the introspection endpoint',
      () => pathOf('introspection_endpoint'),
      (req) => basic(req).send({ token: 'x' }),
      400,
      notForBrowsers,
    ],
    [
      'the pushed authorization request endpoint',
      () => pathOf('pushed_authorization_request_endpoint'),
      (req) => basic(req).send({ response_type: 'code', client_id: 'tunewave', scope: 'profile' }),
      400,
      notForBrowsers,
    ],
    [
      'the registration endpoint (admin bearer)',
      () => pathOf('registration_endpoint'),
      (req) =>
        req
          .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
          .send({ redirect_uris: ['https://app.example/cb'], client_name: 'From a browser' }),
      201,
      { client_name: 'From a browser' },
    ],
    [
      'the registration endpoint (no token)',
      () => pathOf('registration_endpoint'),
      (req) => req.send({ redirect_uris: ['https://app.example/cb'] }),
      401,
      { error: 'invalid_token' },
    ],
    [
      "the provider's logout form (its own xsrf token)",
      () => '/session/end/confirm',
      (req) => req.type('form').send({ xsrf: 'forged', logout: 'yes' }),
      400,
      { error: 'invalid_request' },
    ],
    // GET only (oidc-provider's enableHttpPostMethods is off): a 405, not the guard's 403.
    [
      'the authorization endpoint',
      () => pathOf('authorization_endpoint'),
      (req) => req.type('form').send({ response_type: 'code' }),
      405,
      { detail: expect.stringContaining('GET, HEAD, OPTIONS') },
    ],
  ];

  it.each(PROVIDER_POSTS)(
    "When %s is called from a page of another origin (with the platform's cookie), then it answers its own RFC 6749 JSON, never 403 forbidden_origin",
    async (_name, path, send, status, body) => {
      const res = await send(alice.post(path()).set('Origin', FOREIGN).set('Accept', 'application/json'));
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.body)).not.toContain('forbidden_origin');
      expect(res.body).toMatchObject(body);
    },
  );

  it('When any endpoint the discovery document advertises is POSTed from a foreign Origin, then none answers forbidden_origin', async () => {
    const endpoints = Object.keys(metadata).filter((k) => k.endsWith('_endpoint') || k === 'jwks_uri');
    expect(endpoints).toEqual(expect.arrayContaining(['token_endpoint', 'pushed_authorization_request_endpoint']));
    const guarded: string[] = [];
    for (const key of endpoints) {
      const res = await alice.post(pathOf(key)).set('Origin', FOREIGN).type('form').send({});
      if (res.status === 403 || /forbidden_origin/.test(res.text)) guarded.push(`${key}: ${res.status} ${res.text}`);
    }
    expect(guarded).toEqual([]);
  });

  it('When each cookie-authenticated form of ours (every web write route) is posted from a foreign Origin, then it is refused with 403 forbidden_origin', async () => {
    const forms = listRoutes(gh.platform.app).filter(
      (r) => WRITES.has(r.method) && !r.path.startsWith('/api/') && !r.path.startsWith('/admin'),
    );
    expect(forms.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'post /logout',
        'post /interaction/x/confirm',
        'post /interaction/x/login',
        'post /settings/apps/x/revoke',
        'post /monitor/policy',
      ]),
    );
    const page = await alice.get('/').expect(200);
    const passed: string[] = [];
    for (const r of forms) {
      const res = await alice[r.method as 'post'](r.path)
        .set('Origin', FOREIGN)
        .set('Accept', 'application/json')
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      if (res.status !== 403 || res.body.type !== `https://glasshouse.example/problems/${FORBIDDEN_ORIGIN}`)
        passed.push(`${r.method} ${r.path}: ${res.status}`);
    }
    expect(passed).toEqual([]);
  });
});
