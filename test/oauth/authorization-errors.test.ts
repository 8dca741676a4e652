import { beforeAll, describe, expect, it } from '@jest/globals';
import request, { type Agent } from 'supertest';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { authorizationPath, browseToRedirect, pkcePair, type ClientCredentials } from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9';
const tunewave: ClientCredentials = {
  clientId: 'tunewave',
  clientSecret: PARTNER_SECRETS.tunewave,
  redirectUri: `${PARTNER_URL}/auth/callback`,
};

describe('Authorization endpoint refusals (RFC 6749 §4.1.2.1)', () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL, reelboxUrl: PARTNER_URL });
  let alice: Agent;
  beforeAll(async () => {
    alice = await loggedInAgent(gh.url, 'alice');
  });

  it.each([
    ['another host', 'http://evil.example/auth/callback'],
    ['an extra path segment', `${PARTNER_URL}/auth/callback/more`],
    ['an added query', `${PARTNER_URL}/auth/callback?next=/`],
    ['a different port', 'http://127.0.0.1:10/auth/callback'],
  ])(
    'When the redirect URI has %s, then Glasshouse shows an error page and never redirects there',
    async (_case, redirectUri) => {
      const path = authorizationPath({
        ...tunewave,
        redirectUri,
        scopes: ['profile'],
        state: 's',
        challenge: pkcePair().challenge,
      });
      const res = await alice.get(path).set('Accept', 'text/html');
      expect(res.status).toBe(400);
      expect(res.headers['location']).toBeUndefined();
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.text).toContain('redirect_uri');
      expect(res.text).toContain('This sign-in cannot continue');
    },
  );

  it.each([
    ['PKCE is missing', { challenge: null, extra: {} }, 'invalid_request'],
    [
      'the PKCE method is plain',
      { challenge: null, extra: { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' } },
      'invalid_request',
    ],
    [
      'a challenge comes without its method',
      { challenge: null, extra: { code_challenge: 'a'.repeat(43) } },
      'invalid_request',
    ],
    ['a scope is unknown', { scopes: ['profile', 'messages:read_all'] }, 'invalid_scope'],
    ['no scope is asked for', { scopes: [] }, 'invalid_scope'],
    [
      'a scope is beyond the client registration',
      { clientId: 'limited', scopes: ['profile', 'messages:read'] },
      'invalid_scope',
    ],
    ['the response type is token (implicit)', { extra: { response_type: 'token' } }, 'unsupported_response_type'],
  ])(
    'When %s, then the error goes back to the redirect URI with the state and no code',
    async (_case, override, error) => {
      await gh.store.put('clients', {
        id: 'limited',
        name: 'Limited',
        status: 'active',
        metadata: { ...gh.store.client('tunewave')!.metadata, client_id: 'limited', scope: 'profile' },
      });
      const { challenge } = pkcePair();
      const path = authorizationPath({ ...tunewave, scopes: ['profile'], state: 'st-1', challenge, ...override });
      const res = await alice.get(path).expect(303);
      const location = new URL(res.headers['location'] as string);
      expect(location.origin + location.pathname).toBe(tunewave.redirectUri);
      // Errors of an implicit request travel in the fragment (RFC 6749 §4.2.2.1).
      const params = location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
      expect(params.get('error')).toBe(error);
      expect(params.get('state')).toBe('st-1');
      expect(params.get('code')).toBeNull();
      expect(params.get('access_token')).toBeNull();
    },
  );

  it('When the person denies consent, then the client gets access_denied with its state and nothing is recorded', async () => {
    const erin = await loggedInAgent(gh.url, 'erin');
    const path = authorizationPath({
      ...tunewave,
      scopes: ['messages:read'],
      state: 'deny-me',
      challenge: pkcePair().challenge,
    });
    const { redirect, consentPages } = await browseToRedirect({
      url: gh.url,
      agent: erin,
      path,
      redirectUri: tunewave.redirectUri,
      decision: 'deny',
    });
    expect(consentPages).toHaveLength(1);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe('deny-me');
    expect(redirect.searchParams.get('code')).toBeNull();
    expect(gh.store.get('authorizations', 'p_erin~tunewave')).toBeUndefined();
  });

  it('When the consent form is posted without its CSRF token, then it is refused and no code is issued', async () => {
    const frank = await loggedInAgent(gh.url, 'frank');
    let res = await frank.get(
      authorizationPath({ ...tunewave, scopes: ['profile'], state: 's', challenge: pkcePair().challenge }),
    );
    while (res.status === 303) res = await frank.get(new URL(res.headers['location'] as string, gh.url).pathname);
    const uid = /\/interaction\/([^/"]+)\/confirm/.exec(res.text)?.[1];
    const forged = await frank.post(`/interaction/${uid}/confirm`).type('form').send({ _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(gh.store.get('authorizations', 'p_frank~tunewave')).toBeUndefined();
  });

  it('When a client is shut down, then its authorization is refused on an error page and an open consent page refuses too', async () => {
    const grace = await loggedInAgent(gh.url, 'grace');
    let res = await grace.get(
      authorizationPath({
        ...tunewave,
        clientId: 'reelbox',
        scopes: ['profile'],
        state: 's',
        challenge: pkcePair().challenge,
      }),
    );
    while (res.status === 303) res = await grace.get(new URL(res.headers['location'] as string, gh.url).pathname);
    const consentUrl = res.request.url;
    expect(res.text).toContain('Reelbox wants to connect');
    await gh.platform.oauth.clients.setStatus('reelbox', 'shut_down');
    const refused = await grace.get(new URL(consentUrl).pathname).set('Accept', 'text/html');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Reelbox has been shut down');
    const fresh = await grace
      .get(
        authorizationPath({
          ...tunewave,
          clientId: 'reelbox',
          scopes: ['profile'],
          state: 's',
          challenge: pkcePair().challenge,
        }),
      )
      .set('Accept', 'text/html');
    expect(fresh.status).toBe(400);
    expect(fresh.headers['location']).toBeUndefined();
    expect(fresh.text).toContain('Reelbox has been shut down and can no longer connect to Glasshouse (invalid_client)');
    await gh.platform.oauth.clients.setStatus('reelbox', 'active');
  });

  it.each([
    ['an unknown interaction', '/interaction/nope'],
    ['an unknown interaction confirm', '/interaction/nope/confirm'],
  ])('When a browser opens %s, then it gets a 400 page, not a 500', async (_case, path) => {
    const res = path.endsWith('confirm')
      ? await request(gh.url).post(path).type('form').send({})
      : await request(gh.url).get(path).set('Accept', 'text/html');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
