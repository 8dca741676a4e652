import { beforeAll, describe, expect, it } from '@jest/globals';
import * as oauth from 'oauth4webapi';
import { authorizationPath, browseToRedirect, pkcePair } from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe('Redirect URI registration rules (RFC 9700 §4.1.3, RFC 8252 §7.3/§8.3)', () => {
  const gh = usePlatform();
  let as: oauth.AuthorizationServer;
  beforeAll(async () => {
    const issuer = new URL(gh.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
  });

  /** RFC 7591 registration through oauth4webapi; resolves to the client or to the RFC 7591 §3.2.2 error. */
  async function register(
    redirectUri: string,
    applicationType: 'web' | 'native' = 'web',
  ): Promise<{ client_id?: string; error?: string; error_description?: string }> {
    const metadata = {
      redirect_uris: [redirectUri],
      client_name: 'Tunewave',
      application_type: applicationType,
      scope: 'profile',
      ...(applicationType === 'native' ? { token_endpoint_auth_method: 'none' } : {}),
    };
    const response = await oauth.dynamicClientRegistrationRequest(as, metadata, {
      initialAccessToken: gh.config.ADMIN_TOKEN,
      ...insecure,
    });
    try {
      return await oauth.processDynamicClientRegistrationResponse(response);
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError)
        return { error: err.error, error_description: err.error_description ?? '' };
      throw err;
    }
  }

  it.each([
    ['web', 'http://*.evil.example/cb', /wildcards/],
    ['web', 'https://*.evil.example/cb', /wildcards/],
    ['web', 'http://localhost:9999/*', /wildcards/],
    ['web', 'http://localhost', /localhost/],
    ['web', 'http://localhost:3001/auth/callback', /localhost/],
    ['web', 'http://evil.example/cb', /loopback IP literal/],
    ['web', 'https://app.example/cb#frag', /fragment/],
    ['web', 'com.example.app:/cb', /web clients use https/],
    ['native', 'http://localhost/cb', /localhost/],
    ['native', 'http://localhost:7777/cb', /localhost/],
    ['native', 'http://evil.example/cb', /loopback IP literal/],
    ['native', 'https://127.0.0.1/cb', /native clients use http on loopback/],
    ['web', 'https://localhost./cb', /localhost/],
    ['native', 'https://LOCALHOST./cb', /localhost/],
    ['web', 'https://app.localhost./cb', /localhost/],
    ['web', 'https://tunewave.example@evil.example/cb', /user name or password/],
    ['native', 'http://me:secret@127.0.0.1/cb', /user name or password/],
  ] as const)('When a %s client registers %s, then 400 invalid_redirect_uri says why', async (type, uri, why) => {
    const result = await register(uri, type);
    expect(result.error).toBe('invalid_redirect_uri');
    expect(result.error_description).toMatch(why);
  });

  it.each([
    ['web', 'https://app.example/cb'],
    ['web', 'http://127.0.0.1:4000/cb'],
    ['native', 'http://127.0.0.1/cb'],
    ['native', 'http://[::1]/cb'],
    ['native', 'com.example.app:/oauth2redirect'],
    ['native', 'https://app.example/native-cb'],
  ] as const)('When a %s client registers %s, then it is registered', async (type, uri) => {
    expect((await register(uri, type)).client_id).toEqual(expect.any(String));
  });

  /** The browser part of a code flow for alice; the URL reached, or the error that stopped it. */
  async function authorizeAt(clientId: string, redirectUri: string): Promise<URL | Error> {
    const { challenge } = pkcePair();
    const path = authorizationPath({ clientId, redirectUri, scopes: ['profile'], challenge });
    return browseToRedirect({ url: gh.url, agent: await loggedInAgent(gh.url, 'alice'), path, redirectUri }).then(
      (r) => r.redirect,
      (err: Error) => err,
    );
  }

  it('When a native client registered http://127.0.0.1/cb authorizes at port 51234, then the code comes there (RFC 8252 §7.3)', async () => {
    const { client_id } = await register('http://127.0.0.1/cb', 'native');
    const reached = await authorizeAt(client_id!, 'http://127.0.0.1:51234/cb');
    expect(reached).toBeInstanceOf(URL);
    expect((reached as URL).searchParams.get('code')).toBeTruthy();
  });

  it.each([
    ['a native client', 'native', 'http://127.0.0.1/cb', 'http://localhost:51234/cb'],
    ['a web client', 'web', 'http://127.0.0.1:4000/cb', 'http://127.0.0.1:4001/cb'],
  ] as const)(
    'When %s asks for another host or port than registered, then no code leaves (error page)',
    async (_name, type, registered, asked) => {
      const { client_id } = await register(registered, type);
      const reached = await authorizeAt(client_id!, asked);
      expect(reached).toBeInstanceOf(Error);
      expect((reached as Error).message).toMatch(/HTTP 400/);
    },
  );

  it('When a data file from before these rules holds a native client with http://localhost/cb, then no code leaves for another port (RFC 8252 §8.3)', async () => {
    const metadata = {
      client_id: 'legacy-native',
      client_name: 'Legacy',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://localhost/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'profile',
    };
    await gh.store.put('clients', { id: 'legacy-native', name: 'Legacy', status: 'active', dynamic: true, metadata });
    const reached = await authorizeAt('legacy-native', 'http://localhost:51234/cb');
    expect(reached).toBeInstanceOf(Error);
    expect((reached as Error).message).toMatch(/HTTP 400/);
  });
});
