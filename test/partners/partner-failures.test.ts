import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tunewaveConfig } from '../../partners/tunewave/tunewave.js';
import { listenOnEphemeralPort } from '../../server/src/http/startup.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { logInWithGlasshouse, startDemo, type RunningDemo } from './helpers/demo.js';
import { expireAccessTokens, glasshouseAdmin } from './helpers/glasshouse.js';
import { csrfOf, startPartner, type RunningPartner } from './helpers/partner.js';

/** Errors a logged-in person can meet, shown as pages: Tunewave against the real platform. */
describe('partner failure pages', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo.close();
  });
  const logIn = async (username: string) => (await logInWithGlasshouse(demo.gh, demo.tunewave, username)).agent;

  it('When the access token has expired, then the page still loads (refreshed behind the scenes)', async () => {
    const agent = await logIn('alice');
    expect(await expireAccessTokens(demo.gh, 'tunewave', 'alice')).toBe(1);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Carol Lindqvist');
    // The refresh really happened: the platform now holds a new, live access token.
    const live = demo.gh.store
      .all('oidc')
      .filter(
        (r) =>
          r.model === 'AccessToken' && r.payload['clientId'] === 'tunewave' && r.payload['accountId'] === 'p_alice',
      )
      .filter((r) => r.expiresAt! > Date.now());
    expect(live).toHaveLength(1);
  });

  it('When the grant was revoked, then the person is sent back to log in with a notice and the session is over', async () => {
    const agent = await logIn('bob');
    await glasshouseAdmin(demo.gh).revokeGrant('bob', 'tunewave');
    await agent.get('/').set('Accept', 'text/html').expect(303).expect('Location', '/?notice=revoked');
    const landing = await agent.get('/?notice=revoked').expect(200);
    expect(landing.text).toContain('Your Glasshouse access was revoked');
    expect(landing.text).toContain('Log in with Glasshouse');
    await agent.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
  });

  it('When the grant is revoked while the player shares, then the script is told where to go (401 JSON)', async () => {
    const agent = await logIn('carol');
    const csrf = csrfOf((await agent.get('/').expect(200)).text);
    await agent.post('/share').type('form').send({ _csrf: csrf, friend: 'p_alice' }).expect(303);
    await glasshouseAdmin(demo.gh).revokeGrant('carol', 'tunewave');
    const res = await agent
      .post('/play')
      .set('Accept', 'application/json')
      .set('x-csrf-token', csrf)
      .send({ itemId: 'joplin-entertainer' });
    expect(res.status).toBe(401);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, error: 'revoked', redirect: '/?notice=revoked' });
  });

  it('When the client has been shut down, then the page says the integration has been shut down and the session ends', async () => {
    const agent = await logIn('dave');
    await agent.get('/').expect(200);
    await glasshouseAdmin(demo.gh).setClientStatus('tunewave', 'shut_down');
    try {
      const res = await agent.get('/').set('Accept', 'text/html').expect(503);
      expect(res.text).toContain('This integration has been shut down');
      await agent.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
    } finally {
      await glasshouseAdmin(demo.gh).setClientStatus('tunewave', 'active');
    }
  });

  it('When a form is posted without its CSRF token, then it is refused with a page', async () => {
    const agent = await logIn('erin');
    const res = await agent
      .post('/share')
      .type('form')
      .send({ friend: 'p_bob' })
      .set('Accept', 'text/html')
      .expect(403);
    expect(res.text).toContain('This form has expired');
  });
});

/** Its own platform: the test stops it. */
describe('partner failure pages when the platform goes away', () => {
  let gh: RunningPlatform;
  let tunewave: RunningPartner;
  let platformClosed = false;
  beforeAll(async () => {
    const listening = await listenOnEphemeralPort();
    gh = await startPlatform({}, { tunewaveUrl: listening.url });
    tunewave = await startPartner(gh.url, tunewaveConfig, { listening });
  });
  afterAll(async () => {
    await tunewave.close();
    if (!platformClosed) await gh.close();
  });

  it('When the platform stops answering, then the page offers a retry link to the same page', async () => {
    const { agent } = await logInWithGlasshouse(gh, tunewave, 'alice');
    await agent.get('/seen').expect(200);
    await gh.close();
    platformClosed = true;
    const res = await agent.get('/seen').set('Accept', 'text/html').expect(503);
    expect(res.text).toContain('Glasshouse is not answering');
    expect(res.text).toContain('<a href="/seen" role="button" id="retry">');
  });
});
