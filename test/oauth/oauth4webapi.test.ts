import { beforeAll, describe, expect, it } from '@jest/globals';
import * as oauth from 'oauth4webapi';
import type { Agent } from 'supertest';
import { PARTNER_SCOPES, PARTNER_SECRETS } from '../../seed/world.js';
import { browseToRedirect } from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9';
/** oauth4webapi refuses http:// unless told; the platform listens on plain http on 127.0.0.1 in tests. */
const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe('Interoperability with an independent strict client (oauth4webapi)', () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL });
  let as: oauth.AuthorizationServer;
  beforeAll(async () => {
    const issuer = new URL(gh.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
  });

  /** Runs the browser part for `agent` and returns the callback URL (code, state, iss). */
  async function authorize(
    agent: Agent,
    client: oauth.Client,
    redirectUri: string,
    params: Record<string, string>,
  ): Promise<URL> {
    const url = new URL(as.authorization_endpoint!);
    for (const [k, v] of Object.entries({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      ...params,
    }))
      url.searchParams.set(k, v);
    const { redirect } = await browseToRedirect({ url: gh.url, agent, path: url.pathname + url.search, redirectUri });
    return redirect;
  }

  it('When oauth4webapi discovers Glasshouse by RFC 8414, then the metadata passes its checks and lists the RFC endpoints', () => {
    expect(as.issuer).toBe(gh.url);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    for (const endpoint of [
      'authorization_endpoint',
      'token_endpoint',
      'revocation_endpoint',
      'introspection_endpoint',
      'registration_endpoint',
    ] as const) {
      expect(as[endpoint]).toMatch(new RegExp(`^${gh.url}/`));
    }
    expect(as.scopes_supported).toEqual(expect.arrayContaining(PARTNER_SCOPES.split(' ')));
  });

  it('When Tunewave runs code + PKCE, exchange, refresh, introspection and revocation with oauth4webapi, then every response validates', async () => {
    const client: oauth.Client = { client_id: 'tunewave' };
    const auth = oauth.ClientSecretBasic(PARTNER_SECRETS.tunewave);
    const redirectUri = `${PARTNER_URL}/auth/callback`;
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const callback = await authorize(await loggedInAgent(gh.url, 'alice'), client, redirectUri, {
      scope: 'profile messages:read',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const params = oauth.validateAuthResponse(as, client, callback, state); // checks state and RFC 9207 iss

    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure),
    );
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'profile messages:read', expires_in: 3600 });
    expect(tokens.refresh_token).toBeTruthy();

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const info = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure),
    );
    expect(info).toMatchObject({ active: true, client_id: 'tunewave', sub: 'p_alice', scope: 'profile messages:read' });

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, refreshed.refresh_token!, insecure),
    );
    const after = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure),
    );
    expect(after.active).toBe(false);
  });

  it('When a tester registers a client by DCR and signs in with openid profile, then the ID token carries sub, name and username', async () => {
    const redirectUri = `${PARTNER_URL}/oidc/callback`;
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        { redirect_uris: [redirectUri], client_name: 'Podnest', scope: 'openid profile messages:read' },
        { initialAccessToken: gh.config.ADMIN_TOKEN, ...insecure },
      ),
    );
    const client: oauth.Client = { client_id: registered.client_id, id_token_signed_response_alg: 'ES256' };
    const auth = oauth.ClientSecretPost(registered['client_secret'] as string);
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const callback = await authorize(await loggedInAgent(gh.url, 'bob'), client, redirectUri, {
      scope: 'openid profile messages:read',
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const params = oauth.validateAuthResponse(as, client, callback, oauth.expectNoState);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      params,
      redirectUri,
      verifier,
      insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({
      sub: 'p_bob',
      name: 'Bob Okafor',
      preferred_username: 'bob',
      aud: registered.client_id,
    });
    expect((await gh.platform.tokens.verify(tokens.access_token)).scopes).toEqual(['profile', 'messages:read']);
  });
});
