import { beforeAll, describe, expect, it } from '@jest/globals';
import { PARTNER_SCOPES } from '../../partners/app/config.js';
import {
  basicAuthorization,
  discover,
  exchangeCode,
  GlasshouseError,
  GlasshouseIssuerError,
  GlasshouseTokenError,
  GlasshouseUnreachableError,
  refreshTokens,
  requestToken,
  type AuthorizationServerMetadata,
} from '../../partners/sdk/index.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { authorizationPath, browseToRedirect, pkcePair } from '../helpers/oauth-flow.js';
import { freePort, usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';
import { watchTokenRequests } from './helpers/glasshouse.js';

const credentials = { clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave };
/** Tunewave's registered redirect URI on a platform seeded with the default partner URLs. */
const REDIRECT_URI = 'http://localhost:3001/auth/callback';
const STATE = 'sdk-oauth-state';

/** The SDK's OAuth client (oauth4webapi) against the real authorization server. */
describe('SDK OAuth client', () => {
  const gh = usePlatform();
  let metadata: AuthorizationServerMetadata;
  beforeAll(async () => {
    metadata = await discover(gh.url);
  });

  /** A fresh authorization response for `username` (consent given) and its PKCE verifier. */
  async function authorize(username: string): Promise<{ callback: URLSearchParams; codeVerifier: string }> {
    const { verifier, challenge } = pkcePair();
    const path = authorizationPath({
      clientId: 'tunewave',
      redirectUri: REDIRECT_URI,
      scopes: [...PARTNER_SCOPES],
      state: STATE,
      challenge,
    });
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent: await loggedInAgent(gh.url, username),
      path,
      redirectUri: REDIRECT_URI,
    });
    return { callback: redirect.searchParams, codeVerifier: verifier };
  }
  const input = (a: { callback: URLSearchParams; codeVerifier: string }) => ({
    ...a,
    redirectUri: REDIRECT_URI,
    expectedState: STATE,
  });

  it('When the platform is discovered, then the metadata names its issuer, endpoints, RFC 9207 support and S256', () => {
    expect(metadata).toMatchObject({
      issuer: gh.url,
      token_endpoint: `${gh.url}/token`,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('When the discovery URL is not the issuer, then discovery is refused (RFC 8414 §3.3)', async () => {
    const other = gh.url.replace('127.0.0.1', 'localhost');
    await expect(discover(other)).rejects.toThrow(GlasshouseError);
    await expect(discover(other)).rejects.toThrow(/issuer/);
  });

  it('When nothing answers, then discovery throws GlasshouseUnreachableError', async () => {
    await expect(discover(`http://127.0.0.1:${await freePort()}`)).rejects.toBeInstanceOf(GlasshouseUnreachableError);
  });

  it('When a code is exchanged, then the platform receives client_secret_basic and answers Bearer tokens with a refresh token', async () => {
    const seen = watchTokenRequests(gh);
    try {
      const tokens = await exchangeCode(metadata, credentials, input(await authorize('alice')));
      expect(tokens).toMatchObject({
        tokenType: 'bearer',
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
      });
      expect(tokens.scope?.split(' ').sort()).toEqual([...PARTNER_SCOPES].sort());
      expect(seen.seen).toEqual([{ method: 'POST', path: '/token', authorization: basicAuthorization(credentials) }]);
    } finally {
      seen.stop();
    }
  });

  it.each([
    ['names another issuer', (q: URLSearchParams) => q.set('iss', 'https://evil.example')],
    ['is missing', (q: URLSearchParams) => q.delete('iss')],
  ])(
    "When the authorization response's iss %s, then exchangeCode throws GlasshouseIssuerError and sends nothing",
    async (_label, tamper) => {
      const response = await authorize('bob');
      tamper(response.callback);
      const seen = watchTokenRequests(gh);
      try {
        await expect(exchangeCode(metadata, credentials, input(response))).rejects.toBeInstanceOf(
          GlasshouseIssuerError,
        );
        expect(seen.seen).toEqual([]);
      } finally {
        seen.stop();
      }
    },
  );

  it('When the state is not the expected one, then exchangeCode refuses the response', async () => {
    const response = await authorize('carol');
    await expect(exchangeCode(metadata, credentials, { ...input(response), expectedState: 'another' })).rejects.toThrow(
      /state/,
    );
  });

  it.each([
    ['a code that was already used', 'invalid_grant', 400, credentials],
    ['a wrong client secret', 'invalid_client', 401, { ...credentials, clientSecret: 'wrong-secret-0123456789' }],
  ])(
    'When the exchange carries %s, then GlasshouseTokenError %s (HTTP %i) for the authorization_code grant',
    async (_label, error, status, client) => {
      const response = await authorize('dave');
      if (error === 'invalid_grant') await exchangeCode(metadata, credentials, input(response));
      await expect(exchangeCode(metadata, client, input(response))).rejects.toMatchObject({
        name: 'GlasshouseTokenError',
        error,
        status,
        grantType: 'authorization_code',
      });
    },
  );

  it('When a refresh token is used, then it rotates; the old one is refused with invalid_grant for the refresh_token grant', async () => {
    const first = await exchangeCode(metadata, credentials, input(await authorize('erin')));
    const second = await refreshTokens(metadata, credentials, first.refreshToken!);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    const err = await refreshTokens(metadata, credentials, first.refreshToken!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseTokenError);
    expect(err).toMatchObject({ error: 'invalid_grant', status: 400, grantType: 'refresh_token' });
  });

  it('When requestToken (kept for older callers) refreshes, then it goes through the same client', async () => {
    const first = await exchangeCode(metadata, credentials, input(await authorize('frank')));
    const next = await requestToken(metadata.token_endpoint, credentials, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken!,
    });
    expect(next.accessToken).not.toBe(first.accessToken);
    await expect(
      requestToken(
        metadata.token_endpoint,
        { ...credentials, clientSecret: 'nope-nope-nope' },
        { grant_type: 'refresh_token', refresh_token: next.refreshToken! },
      ),
    ).rejects.toMatchObject({
      error: 'invalid_client',
      grantType: 'refresh_token',
    });
  });
});
