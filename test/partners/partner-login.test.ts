import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { PARTNER_SCOPES } from '../../partners/app/config.js';
import { reelboxConfig } from '../../partners/reelbox/reelbox.js';
import { freePort } from '../helpers/platform.js';
import { startFakeGlasshouse, type FakeGlasshouse } from './helpers/fake-glasshouse.js';
import { logInThroughFake, startPartner, type RunningPartner } from './helpers/partner.js';
import { PARTNER_SECRETS } from '../../seed/world.js';

/** The partner's own login routes, against a stand-in authorization server (no platform needed). */
describe('partner login (own routes)', () => {
  let fake: FakeGlasshouse;
  let tunewave: RunningPartner;
  beforeAll(async () => {
    fake = await startFakeGlasshouse({ clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave });
    tunewave = await startPartner(fake.url);
  });
  afterAll(async () => {
    await tunewave.close();
    await fake.close();
  });

  it('When a person starts the login, then the redirect carries PKCE S256, a state, the client id, the redirect URI and every partner scope', async () => {
    const res = await supertest(tunewave.url).get('/auth/login').expect(302);
    const location = new URL(res.headers['location']!);
    expect(location.origin + location.pathname).toBe(`${fake.url}/authorize`);
    const q = location.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('tunewave');
    expect(q.get('redirect_uri')).toBe(`${tunewave.url}/auth/callback`);
    expect(q.get('scope')?.split(' ').sort()).toEqual([...PARTNER_SCOPES].sort());
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')?.length).toBeGreaterThanOrEqual(16);
    expect(res.headers['set-cookie']?.[0]).toMatch(/^tunewave\.sid=/);
  });

  it('When the callback carries a state this browser never got, then it is refused with a page and nobody is logged in', async () => {
    const agent = supertest.agent(tunewave.url);
    await agent.get('/auth/login').expect(302);
    const res = await agent.get('/auth/callback?code=abc&state=forged-state').expect(400);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('This login could not be verified');
    await agent.get('/seen').expect(303).expect('Location', '/');
  });

  it.each([
    ['no state', '/auth/callback?code=abc'],
    ['no code', '/auth/callback?state=abc'],
    ['nothing', '/auth/callback'],
  ])('When the callback has %s, then it is refused with a page (not a new login)', async (_label, path) => {
    const res = await supertest(tunewave.url).get(path).expect(400);
    expect(res.text).toContain('This login could not be verified');
  });

  it('When the person denies consent, then the callback shows the consent-denied page', async () => {
    fake.denyNext = true;
    const agent = supertest.agent(tunewave.url);
    const start = await agent.get('/auth/login').expect(302);
    const back = new URL((await fetch(start.headers['location']!, { redirect: 'manual' })).headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    const res = await agent.get(back.pathname + back.search).expect(403);
    expect(res.text).toContain('You did not allow Tunewave');
    expect(res.text).toContain('href="/auth/login"');
  });

  it('When the platform sends another OAuth error, then its code is shown escaped on a page', async () => {
    const res = await supertest(tunewave.url).get('/auth/callback?error=invalid_scope&error_description=%3Cscript%3Ex%3C/script%3E').expect(400);
    expect(res.text).toContain('Glasshouse did not log you in');
    expect(res.text).toContain('invalid_scope: &lt;script&gt;');
    expect(res.text).not.toContain('<script>x');
  });

  it.each(['/seen', '/seen/threads/g_weekend'])('When nobody is logged in, then %s sends the browser to the landing page', async (path) => {
    await supertest(tunewave.url).get(path).set('Accept', 'text/html').expect(303).expect('Location', '/');
  });

  it('When nobody is logged in, then the landing page offers "Log in with Glasshouse" and the API-like routes answer 401 JSON', async () => {
    const landing = await supertest(tunewave.url).get('/').expect(200);
    expect(landing.text).toContain('Log in with Glasshouse');
    const play = await supertest(tunewave.url).post('/play').set('Accept', 'application/json').send({ itemId: 'x' }).expect(401);
    expect(play.body).toEqual({ error: 'login_required', redirect: '/' });
    await supertest(tunewave.url).get('/events').set('Accept', 'text/event-stream').expect(401);
  });

  // The fake refuses a token request without Basic auth, with the secret in the body, or whose
  // code_verifier does not hash (S256) to the challenge: reaching the player proves all three.
  it('When the login completes, then the code is exchanged with client_secret_basic and the PKCE verifier, and the session id changes', async () => {
    const agent = supertest.agent(tunewave.url);
    const start = await agent.get('/auth/login').expect(302);
    const before = /tunewave\.sid=([^;]+)/.exec(String(start.headers['set-cookie']))?.[1];
    const back = new URL((await fetch(start.headers['location']!, { redirect: 'manual' })).headers.get('location')!);
    const done = await agent.get(back.pathname + back.search).expect(303).expect('Location', '/');
    const after = /tunewave\.sid=([^;]+)/.exec(String(done.headers['set-cookie']))?.[1];
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(fake.lastTokenAuth).toMatch(/^Basic /);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Bob Okafor');
    expect(home.text).toContain('Gymnopédie No. 1');
  });

  it('When a person logs out, then the session no longer opens the pages', async () => {
    const agent = await logInThroughFake(tunewave.url);
    const home = await agent.get('/').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1]!;
    await agent.post('/logout').type('form').send({ _csrf: csrf }).expect(303).expect('Location', '/?notice=logged_out');
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
