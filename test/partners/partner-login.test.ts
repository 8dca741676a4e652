import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { PARTNER_SCOPES } from '../../partners/app/config.js';
import { reelboxConfig } from '../../partners/reelbox/reelbox.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { basicAuthorization } from '../../partners/sdk/index.js';
import { freePort } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';
import { authorizeAtGlasshouse, logInWithGlasshouse, startDemo, type RunningDemo } from './helpers/demo.js';
import { watchTokenRequests } from './helpers/glasshouse.js';
import { cookieValue, csrfOf, startPartner } from './helpers/partner.js';

/** The partners' own login routes against the platform's real authorization server (oidc-provider). */
describe('partner login with the real authorization server', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo.close();
  });

  it('When a person starts the login, then the redirect carries PKCE S256, a state, the client id, the redirect URI and every partner scope', async () => {
    const res = await supertest(demo.tunewave.url).get('/auth/login').expect(302);
    const location = new URL(res.headers['location']!);
    expect(location.origin + location.pathname).toBe(`${demo.gh.url}/auth`);
    const q = location.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('tunewave');
    expect(q.get('redirect_uri')).toBe(`${demo.tunewave.url}/auth/callback`);
    expect(q.get('scope')?.split(' ').sort()).toEqual([...PARTNER_SCOPES].sort());
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')?.length).toBeGreaterThanOrEqual(16);
    expect(res.headers['set-cookie']?.[0]).toMatch(/^tunewave\.sid=/);
  });

  it('When a logged-out person opens the landing page, then it lists exactly the scopes the login asks for', async () => {
    const res = await supertest(demo.tunewave.url).get('/').expect(200);
    const asks = /<details class="asks">[\s\S]*?<\/details>/.exec(res.text)![0];
    expect([...asks.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1])).toEqual([...PARTNER_SCOPES]);
  });

  it.each(['tunewave', 'reelbox'] as const)(
    'When a person starts the %s login, then Glasshouse accepts the request and shows its consent page',
    async (name) => {
      const start = await supertest(demo[name].url).get('/auth/login').expect(302);
      const authorize = new URL(start.headers['location']!);
      const platform = await loggedInAgent(demo.gh.url, 'dave');
      let res = await platform.get(authorize.pathname + authorize.search);
      for (let hop = 0; hop < 5 && res.status >= 300 && res.status < 400; hop += 1) {
        const next = new URL(res.headers['location']!, demo.gh.url);
        res = await platform.get(next.pathname + next.search);
      }
      expect(res.status).toBe(200);
      expect(res.text).toContain('wants to connect to your Glasshouse account');
      for (const scope of ['messages:read', 'messages:delete', 'threads:participants'])
        expect(res.text).toContain(`data-scope="${scope}"`);
    },
  );

  it('When the callback carries the code and state of a login another browser started, then it is refused with a page and nobody is logged in', async () => {
    const victim = supertest.agent(demo.tunewave.url);
    await victim.get('/auth/login').expect(302);
    const attacker = await authorizeAtGlasshouse(demo.gh, demo.tunewave, 'frank');
    expect(attacker.redirect.searchParams.get('code')).toBeTruthy();
    const res = await victim
      .get(attacker.redirect.pathname + attacker.redirect.search)
      .set('Accept', 'text/html')
      .expect(400);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('This login could not be verified');
    await victim.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
  });

  it('When the callback carries a real code but a forged state, then it is refused with a page and nobody is logged in', async () => {
    const { agent, redirect } = await authorizeAtGlasshouse(demo.gh, demo.tunewave, 'grace');
    redirect.searchParams.set('state', 'forged-state');
    const res = await agent.get(redirect.pathname + redirect.search).expect(400);
    expect(res.text).toContain('This login could not be verified');
    await agent.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
  });

  it('When the platform is discovered, then it says it sends iss in authorization responses (RFC 9207), and it does', async () => {
    const metadata = await supertest(demo.gh.url).get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.body.authorization_response_iss_parameter_supported).toBe(true);
    const { redirect } = await authorizeAtGlasshouse(demo.gh, demo.tunewave, 'ivan');
    expect(redirect.searchParams.get('iss')).toBe(metadata.body.issuer);
  });

  it.each([
    ['names another issuer', (q: URLSearchParams) => q.set('iss', 'https://evil.example')],
    ['is missing', (q: URLSearchParams) => q.delete('iss')],
  ])(
    "When the callback's iss %s, then it is refused before any code exchange, and the genuine callback still completes",
    async (_label, tamper) => {
      const { agent, redirect } = await authorizeAtGlasshouse(demo.gh, demo.tunewave, 'judy');
      const forged = new URL(redirect);
      tamper(forged.searchParams);
      const tokenRequests = watchTokenRequests(demo.gh);
      try {
        const res = await agent
          .get(forged.pathname + forged.search)
          .set('Accept', 'text/html')
          .expect(400);
        expect(res.text).toContain('This login did not come from Glasshouse');
        expect(tokenRequests.seen).toEqual([]);
      } finally {
        tokenRequests.stop();
      }
      await agent.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
      await agent
        .get(redirect.pathname + redirect.search)
        .expect(303)
        .expect('Location', '/');
    },
  );

  it.each([
    ['no state', '/auth/callback?code=abc'],
    ['no code', '/auth/callback?state=abc'],
    ['nothing', '/auth/callback'],
    ['its state twice', '/auth/callback?code=a&state=y&state=z&iss={iss}'],
    ['its code twice', '/auth/callback?code=a&code=b&state=y&iss={iss}'],
    ['its iss twice', '/auth/callback?code=a&state=y&iss={iss}&iss={iss}'],
  ])(
    'When the callback has %s, then it is refused with a page (not a new login, not a bad gateway)',
    async (_label, path) => {
      const res = await supertest(demo.tunewave.url)
        .get(path.replace('{iss}', encodeURIComponent(demo.gh.url)))
        .expect(400);
      expect(res.text).toContain('This login could not be verified');
    },
  );

  it('When the person presses Deny on the Glasshouse consent page, then the callback gets access_denied and shows the consent-denied page', async () => {
    const { redirect, callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'heidi', 'deny');
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('code')).toBeNull();
    expect(callback.status).toBe(403);
    expect(callback.text).toContain('You did not allow Tunewave');
    expect(callback.text).toContain('href="/auth/login"');
  });

  // The error and its description come from the query of a public URL: anyone can craft them, so
  // this is a hand-made request to the partner, not something the platform is made to send.
  it('When the callback carries another OAuth error, then its code is shown escaped on a page', async () => {
    const iss = encodeURIComponent(demo.gh.url);
    const res = await supertest(demo.tunewave.url)
      .get(`/auth/callback?error=invalid_scope&error_description=%3Cscript%3Ex%3C/script%3E&state=s&iss=${iss}`)
      .expect(400);
    expect(res.text).toContain('Glasshouse did not log you in');
    expect(res.text).toContain('invalid_scope: &lt;script&gt;');
    expect(res.text).not.toContain('<script>x');
  });

  it.each(['/seen', '/seen/threads/g_weekend'])(
    'When nobody is logged in, then %s sends the browser to the landing page',
    async (path) => {
      await supertest(demo.tunewave.url).get(path).set('Accept', 'text/html').expect(303).expect('Location', '/');
    },
  );

  it('When nobody is logged in, then the landing page offers "Log in with Glasshouse" and the API-like routes answer 401 problem details', async () => {
    const landing = await supertest(demo.tunewave.url).get('/').expect(200);
    expect(landing.text).toContain('Log in with Glasshouse');
    const play = await supertest(demo.tunewave.url)
      .post('/play')
      .set('Accept', 'application/json')
      .send({ itemId: 'x' })
      .expect(401);
    expect(play.type).toBe('application/problem+json');
    expect(play.body).toMatchObject({ status: 401, error: 'login_required', redirect: '/' });
    await supertest(demo.tunewave.url).get('/events').set('Accept', 'text/event-stream').expect(401);
  });

  // oidc-provider refuses a code whose verifier does not hash (S256) to the challenge, and a request
  // carrying the secret both in a Basic header and in the body; it accepts client_secret_post too,
  // so the header the platform received is what shows the method.
  it('When the login completes, then the code is exchanged with client_secret_basic and the PKCE verifier, and the session id changes', async () => {
    const tokenRequests = watchTokenRequests(demo.gh);
    try {
      const { agent, start, callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
      expect(callback.status).toBe(303);
      expect(callback.headers['location']).toBe('/');
      const before = cookieValue(start.headers['set-cookie'], 'tunewave.sid');
      const after = cookieValue(callback.headers['set-cookie'], 'tunewave.sid');
      expect(before).toBeDefined();
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      expect(tokenRequests.seen).toEqual([
        {
          method: 'POST',
          path: '/token',
          authorization: basicAuthorization({ clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave }),
        },
      ]);
      const home = await agent.get('/').expect(200);
      expect(home.text).toContain('Bob Okafor');
      expect(home.text).toContain('Gymnopédie No. 1');
    } finally {
      tokenRequests.stop();
    }
  });

  it('When a person logs out, then the session no longer opens the pages', async () => {
    const { agent } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'bob');
    const home = await agent.get('/').expect(200);
    await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfOf(home.text) })
      .expect(303)
      .expect('Location', '/?notice=logged_out');
    await agent.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
  });
});

describe('partner login when the platform is down', () => {
  it('When the platform does not answer, then the login shows a page with a retry link', async () => {
    const deadPlatform = `http://127.0.0.1:${await freePort()}`;
    const reelbox = await startPartner(deadPlatform, reelboxConfig);
    try {
      const res = await supertest(reelbox.url).get('/auth/login').set('Accept', 'text/html').expect(503);
      expect(res.text).toContain('Glasshouse is not answering');
      expect(res.text).toContain('href="/auth/login"');
      expect(res.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    } finally {
      await reelbox.close();
    }
  });
});
