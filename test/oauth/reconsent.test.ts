import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
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
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9';
const ALL = ['profile', 'friends:read', 'messages:read'];

/** The scopes a consent page lists, with `data-new` (granted by this Allow) per scope. */
function listed(html: string): { scope: string; isNew: boolean }[] {
  return [...html.matchAll(/data-scope="([^"]+)" data-new="(true|false)"/g)].map((m) => ({
    scope: m[1]!,
    isNew: m[2] === 'true',
  }));
}

describe('Narrowing sticks to the grant and re-consent grants exactly what it shows', () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL });
  const tunewave: ClientCredentials = {
    clientId: 'tunewave',
    clientSecret: PARTNER_SECRETS.tunewave,
    redirectUri: `${PARTNER_URL}/auth/callback`,
  };
  let first: { access_token: string; refresh_token?: string };

  /** Runs the browser flow for alice and exchanges the code; returns the tokens and the consent pages seen. */
  async function connect(scopes: string[], extra: Record<string, string> = {}) {
    const agent = await loggedInAgent(gh.url, 'alice');
    const { verifier, challenge } = pkcePair();
    const path = authorizationPath({ ...tunewave, scopes, state: 's', challenge, extra });
    const { redirect, consentPages } = await browseToRedirect({
      url: gh.url,
      agent,
      path,
      redirectUri: tunewave.redirectUri,
    });
    const res = await exchangeCode(gh.url, tunewave, redirect.searchParams.get('code')!, verifier);
    expect(res.status).toBe(200);
    return { tokens: res.body as { access_token: string; refresh_token?: string; scope: string }, consentPages };
  }
  const api = (token: string, path: string) =>
    request(gh.url).get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    ({ tokens: first } = await connect(ALL));
    await api(first.access_token, '/me').expect(200); // Tunewave used `profile` only
    const agent = await loggedInAgent(gh.url, 'alice');
    const page = await agent.get('/settings/apps').expect(200);
    await agent
      .post('/settings/apps/tunewave/reduce')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
  });

  it('When alice reduced Tunewave to what it used, then introspection of the existing token says scope "profile" (RFC 7662 §2.2)', async () => {
    expect(await introspect(gh.url, tunewave, first.access_token)).toMatchObject({ active: true, scope: 'profile' });
  });

  it("When alice reduced Tunewave, then the existing token is refused the withdrawn scopes by the API and by the socket's token check", async () => {
    await api(first.access_token, '/me').expect(200);
    await api(first.access_token, '/me/friends').expect(403);
    expect((await gh.platform.tokens.verify(first.access_token)).scopes).toEqual(['profile']);
  });

  it('When Tunewave refreshes after the reduce, then the new token is narrow too', async () => {
    const res = await refreshTokens(gh.url, tunewave, first.refresh_token!);
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('profile');
    expect(await introspect(gh.url, tunewave, res.body.access_token)).toMatchObject({ scope: 'profile' });
  });

  it('When Tunewave asks again for the withdrawn scopes, then a consent page lists them as new, and Allow grants exactly what it listed', async () => {
    const { tokens, consentPages } = await connect(ALL);
    expect(consentPages).toHaveLength(1);
    expect(listed(consentPages[0]!)).toEqual([
      { scope: 'profile', isNew: false },
      { scope: 'friends:read', isNew: true },
      { scope: 'messages:read', isNew: true },
    ]);
    expect(tokens.scope.split(' ').sort()).toEqual([...ALL].sort());
    expect(((await introspect(gh.url, tunewave, tokens.access_token)).scope as string).split(' ').sort()).toEqual(
      [...ALL].sort(),
    );
    await api(tokens.access_token, '/me/friends').expect(200);
  });

  it('When Tunewave asks with prompt=consent for fewer scopes, then the page lists exactly those, names the kept ones, and the token has exactly those', async () => {
    const { tokens, consentPages } = await connect(['profile', 'friends:read'], { prompt: 'consent' });
    expect(listed(consentPages[0]!)).toEqual([
      { scope: 'profile', isNew: false },
      { scope: 'friends:read', isNew: false },
    ]);
    expect(consentPages[0]).toContain('data-kept-scope="messages:read"');
    expect(tokens.scope).toBe('profile friends:read');
  });
});
