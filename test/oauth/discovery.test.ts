import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oauth from 'oauth4webapi';
import { API_SCOPES } from '../../server/src/oauth/scopes.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { browseToRedirect } from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/**
 * Every member of the discovery document (RFC 8414 / OIDC Discovery), the value it must have, and
 * where it is proven end to end. A member the provider starts advertising without an entry here
 * fails the first test: switch the feature off or test it and add it (and to README "OAuth 2.0").
 */
const ADVERTISED: Record<string, { value: (url: string) => unknown; provenBy: string }> = {
  issuer: { value: (u) => u, provenBy: 'oauth4webapi.test.ts (discovery)' },
  authorization_endpoint: { value: (u) => `${u}/auth`, provenBy: 'code-flow.test.ts' },
  token_endpoint: { value: (u) => `${u}/token`, provenBy: 'code-flow.test.ts' },
  jwks_uri: { value: (u) => `${u}/jwks`, provenBy: 'this file: ID token signature' },
  registration_endpoint: { value: (u) => `${u}/reg`, provenBy: 'oauth4webapi.test.ts (DCR), redirect-uris.test.ts' },
  introspection_endpoint: { value: (u) => `${u}/token/introspection`, provenBy: 'oauth4webapi.test.ts' },
  revocation_endpoint: { value: (u) => `${u}/token/revocation`, provenBy: 'oauth4webapi.test.ts' },
  pushed_authorization_request_endpoint: { value: (u) => `${u}/request`, provenBy: 'this file: PAR' },
  response_types_supported: { value: () => ['code'], provenBy: 'code-flow.test.ts' },
  response_modes_supported: { value: () => ['form_post', 'fragment', 'query'], provenBy: 'this file: response modes' },
  grant_types_supported: { value: () => ['authorization_code', 'refresh_token'], provenBy: 'oauth4webapi.test.ts' },
  token_endpoint_auth_methods_supported: {
    value: () => ['client_secret_basic', 'client_secret_post', 'none'],
    provenBy: 'oauth4webapi.test.ts, this file: public client',
  },
  code_challenge_methods_supported: { value: () => ['S256'], provenBy: 'authorization-errors.test.ts' },
  scopes_supported: { value: () => ['openid', ...API_SCOPES], provenBy: 'oauth4webapi.test.ts' },
  claims_supported: {
    value: () => ['sub', 'name', 'preferred_username', 'auth_time', 'iss'],
    provenBy: 'this file: ID token claims (auth_time with max_age)',
  },
  claim_types_supported: { value: () => ['normal'], provenBy: 'this file: ID token claims' },
  claims_parameter_supported: { value: () => false, provenBy: 'not offered' },
  request_uri_parameter_supported: { value: () => false, provenBy: 'not offered (PAR request_uri only)' },
  subject_types_supported: { value: () => ['public'], provenBy: 'oauth4webapi.test.ts (sub is the person id)' },
  id_token_signing_alg_values_supported: { value: () => ['ES256'], provenBy: 'this file: ID token signature' },
  authorization_response_iss_parameter_supported: {
    value: () => true,
    provenBy: 'oauth4webapi.test.ts (RFC 9207 check)',
  },
  dpop_signing_alg_values_supported: { value: () => ['ES256', 'Ed25519', 'EdDSA'], provenBy: 'dpop.test.ts' },
};

describe('The discovery document advertises only what works end to end', () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL });
  let as: oauth.AuthorizationServer;
  let metadata: Record<string, unknown>;
  const tunewave: oauth.Client = { client_id: 'tunewave' };
  const tunewaveAuth = oauth.ClientSecretBasic(PARTNER_SECRETS.tunewave);
  const redirectUri = `${PARTNER_URL}/auth/callback`;

  beforeAll(async () => {
    const issuer = new URL(gh.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
    metadata = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  });

  /** Tunewave redeems a validated callback's code at the token endpoint (RFC 6749 §4.1.3, PKCE). */
  async function redeem(callback: URLSearchParams, verifier: string) {
    return oauth.processAuthorizationCodeResponse(
      as,
      tunewave,
      await oauth.authorizationCodeGrantRequest(as, tunewave, tunewaveAuth, callback, redirectUri, verifier, insecure),
    );
  }

  async function pkce(): Promise<{ verifier: string; params: Record<string, string> }> {
    const verifier = oauth.generateRandomCodeVerifier();
    return {
      verifier,
      params: { code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' },
    };
  }
  const authPath = (params: Record<string, string>) => `/auth?${new URLSearchParams(params).toString()}`;

  it('When the discovery document is fetched, then it holds exactly the tested capabilities with their values', () => {
    expect(Object.keys(metadata).sort()).toEqual(Object.keys(ADVERTISED).sort());
    for (const [key, { value }] of Object.entries(ADVERTISED))
      expect([key, metadata[key]]).toEqual([key, value(gh.url)]);
  });

  it('When RP-initiated logout is tried, then there is no end-session endpoint (404)', async () => {
    expect((await fetch(`${gh.url}/session/end`)).status).toBe(404);
  });

  it('When an ID token is issued, then it is signed ES256 by a key of jwks_uri and carries the advertised claims', async () => {
    const cb = `${PARTNER_URL}/oidc/callback`;
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        { redirect_uris: [cb], client_name: 'Podnest', scope: 'openid profile' },
        { initialAccessToken: gh.config.ADMIN_TOKEN, ...insecure },
      ),
    );
    const client: oauth.Client = { client_id: registered.client_id, id_token_signed_response_alg: 'ES256' };
    const { verifier, params } = await pkce();
    const nonce = oauth.generateRandomNonce();
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent: await loggedInAgent(gh.url, 'alice'),
      redirectUri: cb,
      path: authPath({
        client_id: client.client_id,
        redirect_uri: cb,
        response_type: 'code',
        scope: 'openid profile',
        nonce,
        max_age: '3600',
        ...params,
      }),
    });
    const callback = oauth.validateAuthResponse(as, client, redirect, oauth.expectNoState);
    const auth = oauth.ClientSecretBasic(registered['client_secret'] as string);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, callback, cb, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      maxAge: 3600,
      requireIdToken: true,
    });
    const jwks = (await (await fetch(as.jwks_uri!)).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, createLocalJWKSet(jwks), {
      issuer: gh.url,
      audience: client.client_id,
    });
    expect(protectedHeader.alg).toBe('ES256');
    const claims = ADVERTISED['claims_supported']!.value(gh.url) as string[];
    expect(Object.keys(payload)).toEqual(expect.arrayContaining(claims));
  });

  it.each([
    ['query', (u: URL) => u.searchParams],
    ['fragment', (u: URL) => new URLSearchParams(u.hash.slice(1))],
  ])('When the code is asked with response_mode=%s, then it arrives there and exchanges', async (mode, paramsOf) => {
    const { verifier, params } = await pkce();
    const state = oauth.generateRandomState();
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent: await loggedInAgent(gh.url, 'alice'),
      redirectUri,
      path: authPath({
        client_id: 'tunewave',
        redirect_uri: redirectUri,
        response_type: 'code',
        response_mode: mode,
        scope: 'profile',
        state,
        ...params,
      }),
    });
    const callback = oauth.validateAuthResponse(as, tunewave, paramsOf(redirect), state);
    const tokens = await redeem(callback, verifier);
    expect(tokens.scope).toBe('profile');
  });

  it('When the code is asked with response_mode=form_post, then a self-posting form to the redirect URI carries code, state and iss', async () => {
    const { verifier, params } = await pkce();
    const state = oauth.generateRandomState();
    // alice approved Tunewave's `profile` in the tests above: no consent page, the flow ends on the form.
    const agent = await loggedInAgent(gh.url, 'alice');
    let page = await agent.get(
      authPath({
        client_id: 'tunewave',
        redirect_uri: redirectUri,
        response_type: 'code',
        response_mode: 'form_post',
        scope: 'profile',
        state,
        ...params,
      }),
    );
    for (let hop = 0; hop < 8 && page.status >= 300 && page.status < 400; hop += 1) {
      const next = new URL(page.headers['location']!, gh.url);
      page = await agent.get(next.pathname + next.search);
    }
    expect(page.status).toBe(200);
    expect(page.text).toContain(`action="${redirectUri}"`);
    const fields = new URLSearchParams(
      [...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const callback = oauth.validateAuthResponse(as, tunewave, fields, state);
    const tokens = await redeem(callback, verifier);
    expect(tokens.scope).toBe('profile');
  });

  it('When a client pushes its authorization request (PAR, RFC 9126), then /auth with the request_uri returns a code', async () => {
    const { verifier, params } = await pkce();
    const state = oauth.generateRandomState();
    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      tunewave,
      await oauth.pushedAuthorizationRequest(
        as,
        tunewave,
        tunewaveAuth,
        { redirect_uri: redirectUri, response_type: 'code', scope: 'profile messages:read', state, ...params },
        insecure,
      ),
    );
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent: await loggedInAgent(gh.url, 'bob'),
      redirectUri,
      path: authPath({ client_id: 'tunewave', request_uri: pushed.request_uri }),
    });
    const callback = oauth.validateAuthResponse(as, tunewave, redirect, state);
    const tokens = await redeem(callback, verifier);
    expect(tokens.scope).toBe('profile messages:read');
  });

  it('When a public client (token_endpoint_auth_method none) runs code + PKCE, then it gets tokens without a secret', async () => {
    const cb = `${PARTNER_URL}/public/callback`;
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        { redirect_uris: [cb], client_name: 'Podnest', token_endpoint_auth_method: 'none', scope: 'profile' },
        { initialAccessToken: gh.config.ADMIN_TOKEN, ...insecure },
      ),
    );
    expect(registered['client_secret']).toBeUndefined();
    const client: oauth.Client = { client_id: registered.client_id };
    const { verifier, params } = await pkce();
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent: await loggedInAgent(gh.url, 'alice'),
      redirectUri: cb,
      path: authPath({
        client_id: client.client_id,
        redirect_uri: cb,
        response_type: 'code',
        scope: 'profile',
        ...params,
      }),
    });
    const callback = oauth.validateAuthResponse(as, client, redirect, oauth.expectNoState);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, cb, verifier, insecure),
    );
    expect(tokens.scope).toBe('profile');
  });
});
