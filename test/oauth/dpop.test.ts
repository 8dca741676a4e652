import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oauth from 'oauth4webapi';
import { io as connect } from 'socket.io-client';
import request from 'supertest';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { syncPartnerClients } from '../../server/src/store/sync-partner-clients.js';
import { browseToRedirect } from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface Key {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** A DPoP proof JWT (RFC 9449 §4.2) with `overrides` applied to the claims or the `typ`. */
async function proof(
  key: Key,
  claims: { htm: string; htu: string; token?: string; iat?: number; jti?: string },
  typ = 'dpop+jwt',
): Promise<string> {
  const { createHash } = await import('node:crypto');
  const payload: Record<string, unknown> = { htm: claims.htm, htu: claims.htu, jti: claims.jti ?? randomUUID() };
  if (claims.token) payload['ath'] = createHash('sha256').update(claims.token).digest('base64url');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ, jwk: await exportJWK(key.publicKey) })
    .setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000))
    .sign(key.privateKey);
}

describe('DPoP (RFC 9449) at the token endpoint, the messaging API and the partner socket', () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL });
  let as: oauth.AuthorizationServer;
  const client: oauth.Client = { client_id: 'tunewave' };
  const auth = oauth.ClientSecretBasic(PARTNER_SECRETS.tunewave);
  const redirectUri = `${PARTNER_URL}/auth/callback`;
  let key: Key;
  let bound: oauth.TokenEndpointResponse;
  let me: string;

  /** Code + PKCE for alice; `dpop` binds the tokens to that key at the token endpoint. */
  async function tokensFor(dpop?: oauth.DPoPHandle): Promise<oauth.TokenEndpointResponse> {
    const { callback, verifier } = await codeFor();
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, callback, redirectUri, verifier, {
      ...insecure,
      ...(dpop ? { DPoP: dpop } : {}),
    });
    return oauth.processAuthorizationCodeResponse(as, client, response);
  }

  /** A code for alice (through her consent) and its PKCE verifier. */
  async function codeFor(): Promise<{ callback: URLSearchParams; verifier: string }> {
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    const params = {
      client_id: 'tunewave',
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'profile messages:read',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent: await loggedInAgent(gh.url, 'alice'),
      path: url.pathname + url.search,
      redirectUri,
    });
    return { callback: oauth.validateAuthResponse(as, client, redirect, oauth.expectNoState), verifier };
  }

  /** POST /token as Tunewave with `form` and the DPoP proof `dpop` (raw, so that a proof can be sent twice). */
  const tokenRequest = (form: Record<string, string>, dpop: string) =>
    request(gh.url).post('/token').auth('tunewave', PARTNER_SECRETS.tunewave).set('DPoP', dpop).type('form').send(form);
  const tokenProof = () => proof(key, { htm: 'POST', htu: `${gh.url}/token` });
  const codeForm = async () => {
    const { callback, verifier } = await codeFor();
    return {
      grant_type: 'authorization_code',
      code: callback.get('code')!,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    };
  };

  beforeAll(async () => {
    const issuer = new URL(gh.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
    key = await generateKeyPair('ES256');
    bound = await tokensFor(oauth.DPoP(client, key));
    me = `${gh.url}/api/v1/me`;
  });

  it('When a client sends a DPoP proof with the code, then the token is DPoP-bound and introspection shows cnf.jkt', async () => {
    expect(bound.token_type).toBe('dpop');
    const info = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, bound.access_token, insecure),
    );
    expect(info).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt: await calculateJwkThumbprint(await exportJWK(key.publicKey)) },
    });
  });

  it('When oauth4webapi calls the API with the bound token and its DPoP handle, then it answers 200', async () => {
    const res = await oauth.protectedResourceRequest(bound.access_token, 'GET', new URL(me), new Headers(), null, {
      DPoP: oauth.DPoP(client, key),
      ...insecure,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ username: 'alice' });
  });

  it('When the bound token is sent as Bearer without a proof, then 401 invalid_token with both challenges (RFC 9449 §7.2)', async () => {
    const res = await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${bound.access_token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="glasshouse", error="invalid_token", error_description="This access token is DPoP-bound: send it as 'Authorization: DPoP <token>' with a DPoP proof (RFC 9449 section 7.1)", DPoP algs="ES256 Ed25519 EdDSA"`,
    );
    expect(res.body.detail).toMatch(/DPoP-bound/);
  });

  it('When no Authorization header is sent, then the 401 offers Bearer and DPoP with its algorithms', async () => {
    const res = await request(gh.url).get('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="glasshouse", DPoP algs="ES256 Ed25519 EdDSA"');
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['no proof at all', () => undefined],
    ['a proof for another method (htm)', (t: string) => proof(key, { htm: 'POST', htu: me, token: t })],
    ['a proof for another URL (htu)', (t: string) => proof(key, { htm: 'GET', htu: `${me}/x`, token: t })],
    ['a proof without ath', (_t: string) => proof(key, { htm: 'GET', htu: me })],
    ['a proof hashing another token (ath)', (t: string) => proof(key, { htm: 'GET', htu: me, token: `${t}x` })],
    [
      'a proof issued 10 minutes ago (iat)',
      (t: string) => proof(key, { htm: 'GET', htu: me, token: t, iat: now() - 600 }),
    ],
    [
      'a proof issued 10 minutes ahead (iat)',
      (t: string) => proof(key, { htm: 'GET', htu: me, token: t, iat: now() + 600 }),
    ],
    ['a proof with typ JWT', (t: string) => proof(key, { htm: 'GET', htu: me, token: t }, 'JWT')],
    [
      'a proof signed by another key (key binding)',
      async (t: string) => proof(await generateKeyPair('ES256'), { htm: 'GET', htu: me, token: t }),
    ],
  ])('When the bound token comes with %s, then 401 invalid_dpop_proof', async (_name, make) => {
    const dpop = await make(bound.access_token);
    const req = request(gh.url).get('/api/v1/me').set('Authorization', `DPoP ${bound.access_token}`);
    const res = dpop === undefined ? await req : await req.set('DPoP', dpop);
    expect(res.status).toBe(401);
    expect(res.body.type).toMatch(/invalid_dpop_proof$/);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP algs="ES256 Ed25519 EdDSA", error="invalid_dpop_proof"/);
  });

  it('When a DPoP proof already used at /token comes with another code, then 400 invalid_dpop_proof and the code is not used up: a fresh proof gets its tokens, and the grant lives', async () => {
    const used = await tokenProof();
    const first = await tokenRequest(await codeForm(), used).expect(200);
    const second = await codeForm();
    const replay = await tokenRequest(second, used);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringMatching(/Replay/),
    });
    // The retry with a fresh proof is not taken for a replay of the code (which would revoke the grant).
    const retry = await tokenRequest(second, await tokenProof()).expect(200);
    expect(retry.body.token_type).toBe('DPoP');
    const refreshed = await tokenRequest(
      { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string },
      await tokenProof(),
    );
    expect(refreshed.status).toBe(200);
  });

  it('When a DPoP proof already used comes with a refresh token, then 400 invalid_dpop_proof and the refresh token still works with a fresh proof', async () => {
    const tokens = (await tokenRequest(await codeForm(), await tokenProof()).expect(200)).body as {
      refresh_token: string;
    };
    const used = await tokenProof();
    await tokenRequest(await codeForm(), used).expect(200);
    const replay = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, used);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_dpop_proof' });
    await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, await tokenProof()).expect(
      200,
    );
  });

  it('When Tunewave is registered as a DPoP partner (PARTNERS_DPOP), then a token request without a proof is refused, a refresh too: its tokens never turn into bearer tokens', async () => {
    const registration = (dpop: boolean) => ({
      tunewave: { baseUrl: PARTNER_URL, clientSecret: PARTNER_SECRETS.tunewave, dpop },
      reelbox: { baseUrl: reelboxUrl, clientSecret: PARTNER_SECRETS.reelbox },
    });
    const reelboxUrl = gh.store.client('reelbox')!.metadata['client_uri'] as string;
    const tokens = (await tokenRequest(await codeForm(), await tokenProof()).expect(200)).body as {
      refresh_token: string;
    };
    expect(await syncPartnerClients(gh.store, registration(true))).toEqual(['tunewave']);
    try {
      const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token };
      const withoutProof = await request(gh.url)
        .post('/token')
        .auth('tunewave', PARTNER_SECRETS.tunewave)
        .type('form')
        .send(refresh);
      expect(withoutProof.status).toBe(400);
      expect(withoutProof.body.error_description ?? withoutProof.body.error).toBeDefined();
      const withProof = await tokenRequest(refresh, await tokenProof()).expect(200);
      expect(withProof.body.token_type).toBe('DPoP');
      const codeWithoutProof = await request(gh.url)
        .post('/token')
        .auth('tunewave', PARTNER_SECRETS.tunewave)
        .type('form')
        .send(await codeForm());
      expect(codeWithoutProof.status).toBe(400);
    } finally {
      await syncPartnerClients(gh.store, registration(false));
    }
    // Back to a client without the binding: a refresh without a proof is allowed again (RFC 9449 §5).
    expect(gh.store.client('tunewave')!.metadata['dpop_bound_access_tokens']).toBeUndefined();
  });

  it('When a valid proof is sent twice (same jti), then the first call is 200 and the replay 401', async () => {
    const dpop = await proof(key, { htm: 'GET', htu: me, token: bound.access_token });
    const call = () =>
      request(gh.url).get('/api/v1/me').set('Authorization', `DPoP ${bound.access_token}`).set('DPoP', dpop);
    expect((await call()).status).toBe(200);
    const replay = await call();
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toMatch(/jti/);
  });

  it('When the bound token lacks the scope of a call made with the DPoP scheme, then 403 with insufficient_scope in the DPoP challenge only', async () => {
    const url = `${gh.url}/api/v1/threads/t_alice_bob/messages`;
    const dpop = await proof(key, { htm: 'POST', htu: url, token: bound.access_token });
    const res = await request(gh.url)
      .post('/api/v1/threads/t_alice_bob/messages')
      .set('Authorization', `DPoP ${bound.access_token}`)
      .set('DPoP', dpop)
      .send({ text: 'needs messages:write' });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'DPoP algs="ES256 Ed25519 EdDSA", error="insufficient_scope", scope="messages:write", Bearer realm="glasshouse"',
    );
  });

  it('When an unknown token is sent with the DPoP scheme, then its invalid_token is in the DPoP challenge, not the Bearer one', async () => {
    const res = await request(gh.url)
      .get('/api/v1/me')
      .set('Authorization', 'DPoP bogus')
      .set('DPoP', await proof(key, { htm: 'GET', htu: me, token: 'bogus' }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP algs="[^"]+", error="invalid_token"/);
    expect(res.headers['www-authenticate']).not.toMatch(/Bearer[^,]*, error=/);
  });

  it('When an unbound token is sent with the DPoP scheme, then 401 invalid_token in the DPoP challenge', async () => {
    const plain = await tokensFor();
    expect(plain.token_type).toBe('bearer');
    const res = await request(gh.url)
      .get('/api/v1/me')
      .set('Authorization', `DPoP ${plain.access_token}`)
      .set('DPoP', await proof(key, { htm: 'GET', htu: me, token: plain.access_token }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP algs="[^"]+", error="invalid_token"/);
    const ok = await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${plain.access_token}`);
    expect(ok.status).toBe(200);
  });

  describe('the /partners socket handshake (auth: { token, dpop })', () => {
    const handshake = (auth: Record<string, unknown>) =>
      new Promise<string>((resolve) => {
        const socket = connect(`${gh.url}/partners`, { transports: ['websocket'], auth, reconnection: false });
        socket.once('connect', () => {
          socket.disconnect();
          resolve('connected');
        });
        socket.once('connect_error', (err) => {
          socket.disconnect();
          resolve(err.message);
        });
      });
    const socketProof = (token: string, k: Key = key) => proof(k, { htm: 'GET', htu: `${gh.url}/partners`, token });

    it('When a bound token comes with a proof of GET /partners, then the socket connects; a replay of that proof is refused', async () => {
      const dpop = await socketProof(bound.access_token);
      expect(await handshake({ token: bound.access_token, dpop })).toBe('connected');
      expect(await handshake({ token: bound.access_token, dpop })).toBe('invalid_dpop_proof');
    });

    it.each([
      ['no proof', async () => ({ token: bound.access_token }), 'invalid_token'],
      [
        'a proof of another key',
        async () => ({
          token: bound.access_token,
          dpop: await socketProof(bound.access_token, await generateKeyPair('ES256')),
        }),
        'invalid_dpop_proof',
      ],
      [
        'a proof of the API URL',
        async () => ({
          token: bound.access_token,
          dpop: await proof(key, { htm: 'GET', htu: me, token: bound.access_token }),
        }),
        'invalid_dpop_proof',
      ],
    ])('When a bound token comes with %s, then the handshake is refused', async (_name, auth, error) => {
      expect(await handshake(await auth())).toBe(error);
    });
  });
});
