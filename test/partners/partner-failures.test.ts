import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Agent } from 'supertest';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { startFakeGlasshouse, type FakeGlasshouse } from './helpers/fake-glasshouse.js';
import { csrfOf, logInThroughFake, startPartner, type RunningPartner } from './helpers/partner.js';

/** Errors a logged-in person can meet, shown as pages (stand-in server; one fresh pair per test). */
describe('partner failure pages', () => {
  let fake: FakeGlasshouse;
  let tunewave: RunningPartner;
  let agent: Agent;
  beforeEach(async () => {
    fake = await startFakeGlasshouse({ clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave });
    tunewave = await startPartner(fake.url);
    agent = await logInThroughFake(tunewave.url);
  });
  afterEach(async () => {
    await tunewave.close();
    await fake.close();
  });

  it('When the access token has expired, then the page still loads (refreshed behind the scenes)', async () => {
    fake.expireAccessTokens();
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Carol Lindqvist');
  });

  it('When the grant was revoked, then the person is sent back to log in with a notice and the session is over', async () => {
    fake.revokeAll();
    await agent.get('/').set('Accept', 'text/html').expect(303).expect('Location', '/?notice=revoked');
    const landing = await agent.get('/?notice=revoked').expect(200);
    expect(landing.text).toContain('Your Glasshouse access was revoked');
    expect(landing.text).toContain('Log in with Glasshouse');
    await agent.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
  });

  it('When the grant is revoked while the player shares, then the script is told where to go (401 JSON)', async () => {
    const home = await agent.get('/').expect(200);
    const csrf = csrfOf(home.text);
    await agent.post('/share').type('form').send({ _csrf: csrf, friend: 'p_bob' }).expect(303);
    fake.revokeAll();
    const res = await agent.post('/play').set('Accept', 'application/json').set('x-csrf-token', csrf).send({ itemId: 'joplin-entertainer' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'revoked', redirect: '/?notice=revoked' });
  });

  it('When the client has been shut down, then the page says the integration has been shut down and the session ends', async () => {
    fake.shutDown();
    const res = await agent.get('/').set('Accept', 'text/html').expect(503);
    expect(res.text).toContain('This integration has been shut down');
    await agent.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
  });

  it('When the platform stops answering, then the page offers a retry link to the same page', async () => {
    await fake.close();
    const res = await agent.get('/').set('Accept', 'text/html').expect(503);
    expect(res.text).toContain('Glasshouse is not answering');
    expect(res.text).toContain('id="retry"');
  });

  it('When a form is posted without its CSRF token, then it is refused with a page', async () => {
    const res = await agent.post('/share').type('form').send({ friend: 'p_bob' }).set('Accept', 'text/html').expect(403);
    expect(res.text).toContain('This form has expired');
  });
});
