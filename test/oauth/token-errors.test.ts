import { describe, expect, it } from '@jest/globals';
import request, { type Agent } from 'supertest';
import { PARTNER_SECRETS } from '../../seed/world.js';
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
import { loggedInAgent } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9';
const tunewave: ClientCredentials = {
  clientId: 'tunewave',
  clientSecret: PARTNER_SECRETS.tunewave,
  redirectUri: `${PARTNER_URL}/auth/callback`,
};

describe('Token endpoint refusals (RFC 6749 §5.2)', () => {
  const gh = usePlatform({ CONTROLLABLE_CLOCK: 'true' }, { tunewaveUrl: PARTNER_URL });
  const agents = new Map<string, Agent>();

  /** A fresh code for `username` (consenting on first use) and its PKCE verifier. */
  async function codeFor(
    username: string,
    scopes = ['profile', 'messages:read'],
  ): Promise<{ code: string; verifier: string }> {
    if (!agents.has(username)) agents.set(username, await loggedInAgent(gh.url, username));
    const { verifier, challenge } = pkcePair();
    const path = authorizationPath({ ...tunewave, scopes, state: 's', challenge });
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent: agents.get(username)!,
      path,
      redirectUri: tunewave.redirectUri,
    });
    return { code: redirect.searchParams.get('code')!, verifier };
  }

  it.each([
    ['a wrong secret', { ...tunewave, clientSecret: 'not-the-secret' }],
    ['an unknown client', { ...tunewave, clientId: 'mallory' }],
    ['the secret of another client', { ...tunewave, clientSecret: PARTNER_SECRETS.reelbox }],
  ])(
    'When the client authenticates with %s, then the answer is 401 invalid_client and no token',
    async (_case, client) => {
      const { code, verifier } = await codeFor('alice');
      const res = await exchangeCode(gh.url, client, code, verifier);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'invalid_client' });
      expect(res.body.access_token).toBeUndefined();
    },
  );

  it('When a code is replayed, then it is refused with invalid_grant and the tokens of the first exchange stop working', async () => {
    const { code, verifier } = await codeFor('dave');
    const first = await exchangeCode(gh.url, tunewave, code, verifier).then(
      (r) => r.body as { access_token: string; refresh_token: string },
    );
    expect((await introspect(gh.url, tunewave, first.access_token)).active).toBe(true);
    const replay = await exchangeCode(gh.url, tunewave, code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_grant' });
    expect(replay.body.access_token).toBeUndefined();
    expect((await introspect(gh.url, tunewave, first.access_token)).active).toBe(false);
    expect((await refreshTokens(gh.url, tunewave, first.refresh_token)).body).toMatchObject({ error: 'invalid_grant' });
    expect(gh.store.get('authorizations', 'p_dave~tunewave')?.revokedAt).toBeDefined();
  });

  it('When a code outlives its 60-second lifetime, then it is refused with invalid_grant', async () => {
    const { code, verifier } = await codeFor('alice');
    await request(gh.url)
      .post('/admin/clock/advance')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ seconds: 61 })
      .expect(200);
    const res = await exchangeCode(gh.url, tunewave, code, verifier);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_grant' });
  });

  it.each([
    ['the PKCE verifier does not match', (v: string) => ({ code_verifier: `${v.slice(0, -2)}xx` })],
    ['the PKCE verifier is missing', () => ({ code_verifier: undefined })],
    ['the redirect URI differs from the authorization request', () => ({ redirect_uri: `${PARTNER_URL}/other` })],
    ['the code is made up', () => ({ code: 'made-up-code' })],
  ])('When %s, then the token request is refused with invalid_grant and no token', async (_case, change) => {
    const { code, verifier } = await codeFor('alice');
    const body = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: tunewave.redirectUri,
      code_verifier: verifier,
      ...change(verifier),
    };
    const res = await request(gh.url)
      .post('/token')
      .auth(tunewave.clientId, tunewave.clientSecret)
      .type('form')
      .send(JSON.parse(JSON.stringify(body)));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_grant' });
    expect(res.body.access_token).toBeUndefined();
  });

  it('When a refresh asks for a scope the grant never had, then it is refused with invalid_scope', async () => {
    const issued = await gh.platform.tokens.issue({ personId: 'p_heidi', clientId: 'tunewave', scopes: ['profile'] });
    const res = await refreshTokens(gh.url, tunewave, issued.refresh_token!, 'profile messages:read');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_scope' });
    expect(res.body.access_token).toBeUndefined();
  });

  it('When a rotated refresh token is used again, then it is refused and the whole grant is revoked', async () => {
    const issued = await gh.platform.tokens.issue({ personId: 'p_ivan', clientId: 'tunewave', scopes: ['profile'] });
    const rotated = await refreshTokens(gh.url, tunewave, issued.refresh_token!);
    expect(rotated.status).toBe(200);
    const reuse = await refreshTokens(gh.url, tunewave, issued.refresh_token!);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant' });
    expect((await introspect(gh.url, tunewave, rotated.body.access_token)).active).toBe(false);
  });

  it('When a person removes an app on the Apps page, then every token of that grant stops working at once', async () => {
    const issued = await gh.platform.tokens.issue({
      personId: 'p_judy',
      clientId: 'tunewave',
      scopes: ['profile', 'messages:read'],
    });
    const revoked: string[] = [];
    gh.platform.events.on('grant.revoked', (e) => revoked.push(`${e.personId}/${e.clientId}`));
    await gh.store.put('accessLog', {
      id: 'a_judy_1',
      at: Date.UTC(2026, 0, 6, 10, 30),
      clientId: 'tunewave',
      ownerId: 'p_judy',
      action: 'read',
      scope: 'messages:read',
      operation: 'GET /api/v1/threads',
      channel: 'api',
      threadIds: [],
      messageIds: [],
      peopleIncluded: [],
      bystanders: [],
      policy: 'broad',
    });
    const judy = await loggedInAgent(gh.url, 'judy');
    const page = await judy.get('/settings/apps').expect(200);
    expect(page.text).toContain('Tunewave');
    expect(page.text).toContain('read all your private conversations');
    expect(page.text).toContain('Last used: 2026-01-06 10:30 UTC');
    const csrf = /name="_csrf" value="([^"]+)"[\s\S]*?data-revoke="tunewave"/.exec(page.text)?.[1];
    await judy.post('/settings/apps/tunewave/revoke').type('form').send({}).expect(403); // no CSRF token: refused
    expect((await introspect(gh.url, tunewave, issued.access_token)).active).toBe(true);
    await judy
      .post('/settings/apps/tunewave/revoke')
      .type('form')
      .send({ _csrf: csrf })
      .expect(303)
      .expect('Location', '/settings/apps');
    expect((await introspect(gh.url, tunewave, issued.access_token)).active).toBe(false);
    expect((await refreshTokens(gh.url, tunewave, issued.refresh_token!)).body).toMatchObject({
      error: 'invalid_grant',
    });
    await expect(gh.platform.tokens.verify(issued.access_token)).rejects.toMatchObject({ code: 'invalid_token' });
    expect(gh.store.get('authorizations', 'p_judy~tunewave')).toMatchObject({
      scopes: [],
      revokedAt: expect.any(Number),
    });
    expect(revoked).toEqual(['p_judy/tunewave']);
    const after = await judy.get('/settings/apps').expect(200);
    expect(after.text).toContain('data-removed="tunewave"');
    expect(after.text).not.toContain('data-revoke="tunewave"');
  });

  it.each([
    ['no initial access token', undefined],
    ['a wrong initial access token', 'wrong-token-wrong-token'],
  ])('When a client registers with %s, then registration is refused and nothing is stored', async (_case, token) => {
    const before = gh.store.all('clients').length;
    const req = request(gh.url)
      .post('/reg')
      .send({ client_name: 'Sneaky', redirect_uris: ['http://127.0.0.1:9/cb'] });
    const res = await (token ? req.set('Authorization', `Bearer ${token}`) : req);
    expect([400, 401]).toContain(res.status);
    expect(res.body.error).toMatch(/invalid_token|invalid_request/);
    expect(res.body.client_id).toBeUndefined();
    expect(gh.store.all('clients')).toHaveLength(before);
  });

  it('When a tester registers a client with the admin token, then it is stored active and can be used at once', async () => {
    const res = await request(gh.url)
      .post('/reg')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({
        client_name: 'Podnest',
        redirect_uris: ['http://127.0.0.1:9/podnest/cb'],
        scope: 'profile messages:read',
      })
      .expect(201);
    expect(res.body).toMatchObject({
      client_name: 'Podnest',
      scope: 'profile messages:read',
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(gh.store.client(res.body.client_id)).toMatchObject({ name: 'Podnest', status: 'active' });
    const issued = await gh.platform.tokens.issue({
      personId: 'p_alice',
      clientId: res.body.client_id,
      scopes: ['messages:read'],
    });
    expect((await gh.platform.tokens.verify(issued.access_token)).clientId).toBe(res.body.client_id);
  });
});
