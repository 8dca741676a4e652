import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DomainEvents } from '../../server/src/events.js';
import { PARTNER_SCOPES, PARTNER_SECRETS } from '../../seed/world.js';
import {
  authorizationPath,
  browseToRedirect,
  exchangeCode,
  introspect,
  pkcePair,
  refreshTokens,
  type ClientCredentials,
} from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent, switchPerson } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9'; // never contacted: tests read the redirect's Location
const tunewave: ClientCredentials = {
  clientId: 'tunewave',
  clientSecret: PARTNER_SECRETS.tunewave,
  redirectUri: `${PARTNER_URL}/auth/callback`,
};

describe('Log in with Glasshouse: the authorization code flow over HTTP', () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL });
  const steps: DomainEvents['oauth.step'][] = [];
  beforeAll(async () => {
    gh.platform.events.on('oauth.step', (s) => steps.push(s));
  });

  it('When a partner asks for discovery, then RFC 8414 metadata lists every endpoint and scope', async () => {
    const res = await request(gh.url).get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body).toMatchObject({
      issuer: gh.url,
      authorization_endpoint: `${gh.url}/auth`,
      token_endpoint: `${gh.url}/token`,
      revocation_endpoint: `${gh.url}/token/revocation`,
      introspection_endpoint: `${gh.url}/token/introspection`,
      registration_endpoint: `${gh.url}/reg`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    expect(res.body.scopes_supported).toEqual(expect.arrayContaining(PARTNER_SCOPES.split(' ')));
    expect(res.body.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
  });

  it('When a logged-out person connects Tunewave, then login, consent, code, token, refresh, introspection and revocation each answer as the RFCs say', async () => {
    const agent = request.agent(gh.url);
    const { verifier, challenge } = pkcePair();
    const path = authorizationPath({ ...tunewave, scopes: PARTNER_SCOPES.split(' '), state: 'xyz-42', challenge });

    // Authorize: not logged in at Glasshouse → the login interaction → the web login page, and back.
    const toInteraction = await agent.get(path).expect(303);
    const uid = /^\/interaction\/([\w-]+)$/.exec(toInteraction.headers['location'] as string)?.[1];
    expect(uid).toBeDefined();
    await agent
      .get(`/interaction/${uid}`)
      .expect(303)
      .expect('Location', `/login?returnTo=${encodeURIComponent(`/interaction/${uid}`)}`);
    const loginPage = await agent.get(`/login?returnTo=${encodeURIComponent(`/interaction/${uid}`)}`).expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: 'glasshouse', _csrf: csrfFrom(loginPage.text) })
      .expect(303)
      .expect('Location', `/interaction/${uid}`);

    // Consent: plain words for each scope, who else is affected; Approve → code at the redirect URI.
    const { redirect, consentPages } = await browseToRedirect({
      url: gh.url,
      agent,
      path: `/interaction/${uid}`,
      redirectUri: tunewave.redirectUri,
    });
    expect(consentPages).toHaveLength(1);
    const consent = consentPages[0]!;
    expect(consent).toContain('read all your private conversations, including what your friends wrote');
    expect(consent).toContain('see everyone in your conversations, including people who never used Tunewave');
    expect(consent).toContain('delete messages in your conversations');
    // Weekend plans (bob, carol, erin) and Family (heidi, ivan); nobody has used Tunewave yet. Each
    // person is listed once, in the widest-reaching group (their messages), not again as group members or friends.
    expect(consent).toMatch(
      /<strong>5<\/strong> people you have conversations with \(their messages too\): Bob Okafor, Carol Lindqvist, Erin Castillo, Heidi Brandt, Ivan Duarte/,
    );
    for (const name of ['Bob Okafor', 'Carol Lindqvist', 'Erin Castillo', 'Heidi Brandt', 'Ivan Duarte'])
      expect(consent.split(name)).toHaveLength(2);
    expect(consent).toContain('5 of them never used Tunewave');
    expect(redirect.origin + redirect.pathname).toBe(tunewave.redirectUri);
    expect(redirect.searchParams.get('state')).toBe('xyz-42');
    expect(redirect.searchParams.get('iss')).toBe(gh.url);
    const code = redirect.searchParams.get('code')!;
    expect(code).toBeTruthy();

    // Token (RFC 6749 §5.1), never cached.
    const tokenRes = await exchangeCode(gh.url, tunewave, code, verifier);
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.headers['cache-control']).toContain('no-store');
    expect(tokenRes.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: PARTNER_SCOPES });
    const first = tokenRes.body as { access_token: string; refresh_token: string };
    expect(first.refresh_token).toBeTruthy();

    // Introspection (RFC 7662) by the client that holds the token.
    expect(await introspect(gh.url, tunewave, first.access_token)).toMatchObject({
      active: true,
      client_id: 'tunewave',
      sub: 'p_alice',
      scope: PARTNER_SCOPES,
      aud: `${gh.url}/api/v1`,
      token_type: 'Bearer',
    });

    // Refresh with rotation: new access and refresh tokens, the old refresh token is spent.
    const refreshed = await refreshTokens(gh.url, tunewave, first.refresh_token, 'messages:read');
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers['cache-control']).toContain('no-store');
    expect(refreshed.body.scope).toBe('messages:read');
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.body.access_token).not.toBe(first.access_token);
    expect(await introspect(gh.url, tunewave, refreshed.body.access_token)).toMatchObject({
      active: true,
      scope: 'messages:read',
    });

    // Another client cannot revoke Tunewave's token: refused with an error (RFC 7009 §2.1), the token lives.
    const foreign = await request(gh.url)
      .post('/token/revocation')
      .auth('reelbox', PARTNER_SECRETS.reelbox)
      .type('form')
      .send({ token: refreshed.body.access_token });
    expect([foreign.status, foreign.body.error]).toEqual([400, 'invalid_request']);
    expect((await introspect(gh.url, tunewave, refreshed.body.access_token)).active).toBe(true);

    // Revocation (RFC 7009) of the refresh token ends the grant: every token of it stops working.
    await request(gh.url)
      .post('/token/revocation')
      .auth(tunewave.clientId, tunewave.clientSecret)
      .type('form')
      .send({ token: refreshed.body.refresh_token })
      .expect(200);
    expect((await introspect(gh.url, tunewave, refreshed.body.refresh_token)).active).toBe(false);
    expect((await introspect(gh.url, tunewave, refreshed.body.access_token)).active).toBe(false);
    expect((await introspect(gh.url, tunewave, first.access_token)).active).toBe(false);
    expect(gh.store.get('authorizations', 'p_alice~tunewave')?.revokedAt).toBeDefined();

    // The monitor saw every step, in order, and never a token value.
    const names = steps.map((s) => s.step);
    const order = ['authorize', 'login', 'consent', 'code', 'token', 'introspect', 'refresh', 'revoke'];
    expect(order.map((n) => names.indexOf(n))).toEqual([...order.map((n) => names.indexOf(n))].sort((a, b) => a - b));
    expect(order.every((n) => names.includes(n))).toBe(true);
    const serialized = JSON.stringify(steps);
    for (const secret of [
      code,
      first.access_token,
      first.refresh_token,
      refreshed.body.access_token,
      tunewave.clientSecret,
    ])
      expect(serialized).not.toContain(secret);
  });

  it('When a person has already approved the scopes, then a new authorization skips the consent page and records the grant once', async () => {
    const agent = await loggedInAgent(gh.url, 'bob');
    const scopes = ['profile', 'messages:read'];
    const once = await browseToRedirect({
      url: gh.url,
      agent,
      path: authorizationPath({ ...tunewave, scopes, state: 's1', challenge: pkcePair().challenge }),
      redirectUri: tunewave.redirectUri,
    });
    expect(once.consentPages).toHaveLength(1);
    const row = gh.store.get('authorizations', 'p_bob~tunewave');
    expect(row).toMatchObject({ personId: 'p_bob', clientId: 'tunewave', scopes });
    const twice = await browseToRedirect({
      url: gh.url,
      agent,
      path: authorizationPath({ ...tunewave, scopes: ['messages:read'], state: 's2', challenge: pkcePair().challenge }),
      redirectUri: tunewave.redirectUri,
    });
    expect(twice.consentPages).toHaveLength(0);
    expect(twice.redirect.searchParams.get('code')).toBeTruthy();
    expect(gh.store.get('authorizations', 'p_bob~tunewave')?.grantId).toBe(row?.grantId);
  });

  it('When someone else logs in on the same browser, then the next code is for them, never for the first person', async () => {
    const agent = await loggedInAgent(gh.url, 'heidi');
    const scopes = ['profile'];
    const codeNow = async () => {
      const { verifier, challenge } = pkcePair();
      const { redirect } = await browseToRedirect({
        url: gh.url,
        agent,
        path: authorizationPath({ ...tunewave, scopes, state: 'sw', challenge }),
        redirectUri: tunewave.redirectUri,
      });
      const res = await exchangeCode(gh.url, tunewave, redirect.searchParams.get('code')!, verifier);
      return (await gh.platform.tokens.verify(res.body.access_token)).personId;
    };
    expect(await codeNow()).toBe('p_heidi');
    await switchPerson(agent, 'ivan');
    expect(await codeNow()).toBe('p_ivan');
    // Heidi's grant survives the provider session switch (partner tokens do not expire with it).
    expect(gh.store.get('authorizations', 'p_heidi~tunewave')?.revokedAt).toBeUndefined();
  });

  it('When a client uses client_secret_post instead of Basic, then the token endpoint accepts it too', async () => {
    const agent = await loggedInAgent(gh.url, 'carol');
    const { verifier, challenge } = pkcePair();
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent,
      path: authorizationPath({ ...tunewave, scopes: ['profile'], state: 'p', challenge }),
      redirectUri: tunewave.redirectUri,
    });
    const res = await request(gh.url)
      .post('/token')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code: redirect.searchParams.get('code'),
        redirect_uri: tunewave.redirectUri,
        code_verifier: verifier,
        client_id: tunewave.clientId,
        client_secret: tunewave.clientSecret,
      });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('profile');
  });
});
