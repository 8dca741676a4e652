import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { authorizationPath, browseToRedirect, pkcePair } from '../helpers/oauth-flow.js';
import { loginCookie } from '../helpers/web-session.js';
import { DOCS_CLIENT_ID, docsRedirectUri } from '../../server/src/oauth/docs-client.js';
import { SESSIONS_PER_PERSON, storeAdapterFactory, TooManySignIns } from '../../server/src/oauth/store-adapter.js';
import { openMemoryStore } from '../../server/src/store/open-data-file.js';
import { ANONYMOUS } from '../../server/src/store/store.js';
import { createClientRegistry } from '../../server/src/oauth/client-registry.js';
import { systemClock } from '../../server/src/clock/clock.js';
import { EventBus } from '../../server/src/events.js';

const PARTNER_URL = 'http://127.0.0.1:9';

/** The provider's adapter of `model` over a fresh in-memory store, with at most `maxPendingSignIns` sign-ins in progress. */
async function adapterOver(model: string, maxPendingSignIns: number) {
  const store = await openMemoryStore();
  const adapter = storeAdapterFactory(
    store,
    createClientRegistry(store, new EventBus()),
    systemClock,
    maxPendingSignIns,
  )(model);
  return { store, adapter };
}
const REDIRECT_URI = `${PARTNER_URL}/auth/callback`;

describe('sign-ins in progress are bounded (PENDING_SIGN_INS_MAX)', () => {
  const gh = usePlatform({ CONTROLLABLE_CLOCK: 'true', PENDING_SIGN_INS_MAX: '3' }, { tunewaveUrl: PARTNER_URL });
  /** A browser without cookies starting "Log in with Glasshouse" on Tunewave, with a long `state`. */
  const startSignIn = () =>
    request(gh.url).get(
      authorizationPath({
        clientId: 'tunewave',
        redirectUri: REDIRECT_URI,
        scopes: ['profile'],
        state: 'x'.repeat(4_000),
        challenge: pkcePair().challenge,
      }),
    );

  it('When more sign-ins start than the bound and none finishes, then the next is answered temporarily_unavailable at the client and nothing more is kept; once they expire there is room again', async () => {
    for (let i = 0; i < 3; i++) {
      const started = await startSignIn().expect(303);
      expect(started.headers['location']).toMatch(/^\/interaction\//);
    }
    const kept = gh.store.all('oidc').length;
    const refused = await startSignIn().expect(303);
    const back = new URL(refused.headers['location'] as string);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(back.searchParams.get('state')).toBe('x'.repeat(4_000));
    expect(gh.store.pendingSignIns()).toBe(3);
    expect(gh.store.all('oidc')).toHaveLength(kept);

    // Past their 10 minutes the housekeeping purges them.
    await request(gh.url)
      .post('/admin/clock/advance')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ seconds: 601 })
      .expect(200);
    await gh.platform.housekeeping.runOnce();
    expect(gh.store.pendingSignIns()).toBe(0);
    expect((await startSignIn().expect(303)).headers['location']).toMatch(/^\/interaction\//);
  });

  it('When authorization requests are pushed (RFC 9126, the API docs client needs no secret), then they count too: past the bound the next is temporarily_unavailable and nothing more is kept', async () => {
    const push = () =>
      request(gh.url)
        .post('/request')
        .type('form')
        .send({
          client_id: DOCS_CLIENT_ID,
          redirect_uri: docsRedirectUri(gh.url),
          response_type: 'code',
          scope: 'profile',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
          state: 'x'.repeat(40_000),
        });
    const before = gh.store.pendingSignIns();
    for (let i = before; i < 3; i++) await push().expect(201);
    const kept = gh.store.all('oidc').length;
    const refused = await push();
    expect(refused.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(gh.store.all('oidc')).toHaveLength(kept);
    const location = new URL((await startSignIn().expect(303)).headers['location'] as string, gh.url);
    expect(location.searchParams.get('error')).toBe('temporarily_unavailable'); // /auth shares the bound
  });
});

describe('the bound does not cut a sign-in in progress (store adapter)', () => {
  it('When the bound is reached, then a new interaction is refused, but the one that continues a sign-in after its login step is kept', async () => {
    const { store, adapter } = await adapterOver('Interaction', 1);
    await adapter.upsert('first', { kind: 'Interaction' }, 600);
    await expect(adapter.upsert('second', { kind: 'Interaction' }, 600)).rejects.toBeInstanceOf(TooManySignIns);
    // oidc-provider's resume: the login step's interaction ends, a new one carries its result to the consent.
    await adapter.upsert(
      'continued',
      { kind: 'Interaction', lastSubmission: { login: { accountId: 'p_alice' } } },
      600,
    );
    expect(store.pendingSignIns()).toBe(2);
    await adapter.upsert('first', { kind: 'Interaction', returnTo: 'changed' }, 600); // a save of one it has
    await store.close();
  });
});

describe("the authorization server's sessions of one person, through real sign-ins", () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL });

  it('When a browser signs in again and again without the provider cookie, then the session of each sign-in is filed under its person (so the bound applies)', async () => {
    const webCookie = await loginCookie(gh.url, 'alice');
    for (let i = 0; i < 3; i++) {
      const agent = request.agent(gh.url); // a new cookie jar: only the web session's cookie
      agent.set('Cookie', webCookie);
      const { redirect } = await browseToRedirect({
        url: gh.url,
        agent,
        path: authorizationPath({
          clientId: DOCS_CLIENT_ID,
          redirectUri: docsRedirectUri(gh.url),
          scopes: ['profile'],
          challenge: pkcePair().challenge,
        }),
        redirectUri: docsRedirectUri(gh.url),
      });
      expect(redirect.searchParams.get('code')).toBeTruthy();
    }
    expect(gh.store.oidcFind('session-of:p_alice').length).toBeGreaterThanOrEqual(3);
  });

  it('When a browser keeps a provider cookie whose session is gone, then the session saved for each of its requests belongs to nobody and lives 10 minutes, not 14 days', async () => {
    const agent = request.agent(gh.url);
    agent.set('Cookie', await loginCookie(gh.url, 'bob'));
    const path = () =>
      authorizationPath({
        clientId: DOCS_CLIENT_ID,
        redirectUri: docsRedirectUri(gh.url),
        scopes: ['profile'],
        challenge: pkcePair().challenge,
      });
    await browseToRedirect({ url: gh.url, agent, path: path(), redirectUri: docsRedirectUri(gh.url) });
    for (const row of gh.store.oidcFind('session-of:p_bob')) await gh.store.delete('oidc', row.id);
    const before = gh.store.oidcFind(`session-of:${ANONYMOUS}`).length;
    for (let i = 0; i < 3; i++) await agent.get(path()).expect(303);
    const anonymous = gh.store.oidcFind(`session-of:${ANONYMOUS}`);
    expect(anonymous.length).toBeGreaterThan(before);
    for (const row of anonymous) expect(row.expiresAt! - Date.now()).toBeLessThanOrEqual(10 * 60_000);
  });
});

describe("the authorization server's sessions of one person are bounded (store adapter)", () => {
  it("When one person signs in from more browsers than SESSIONS_PER_PERSON (or a client drops the provider cookie each time), then the oldest of their sessions are forgotten, not other people's", async () => {
    const { store, adapter: sessions } = await adapterOver('Session', 1_000);
    await sessions.upsert('bob-1', { kind: 'Session', accountId: 'p_bob' }, 3_600);
    for (let i = 0; i < SESSIONS_PER_PERSON + 5; i++)
      await sessions.upsert(`alice-${i}`, { kind: 'Session', accountId: 'p_alice' }, 3_600);
    const alices = store.oidcFind('session-of:p_alice').map((r) => r.id);
    expect(alices).toHaveLength(SESSIONS_PER_PERSON);
    expect(alices[0]).toBe('Session:alice-5'); // the five oldest went
    await sessions.upsert('alice-5', { kind: 'Session', accountId: 'p_alice', loginTs: 1 }, 3_600); // a save of one kept
    expect(store.oidcFind('session-of:p_alice')).toHaveLength(SESSIONS_PER_PERSON);
    expect(await sessions.find('bob-1')).toBeDefined();
    await store.close();
  });

  it('When sessions of nobody yet pile up (a stale provider cookie per request), then at most PENDING_SIGN_INS_MAX are kept, the oldest forgotten', async () => {
    const { store, adapter: sessions } = await adapterOver('Session', 3);
    await sessions.upsert('alice-1', { kind: 'Session', accountId: 'p_alice' }, 3_600);
    for (let i = 0; i < 10; i++) await sessions.upsert(`stale-${i}`, { kind: 'Session' }, 600);
    expect(store.oidcFind(`session-of:${ANONYMOUS}`).map((r) => r.id)).toEqual([
      'Session:stale-7',
      'Session:stale-8',
      'Session:stale-9',
    ]);
    expect(await sessions.find('alice-1')).toBeDefined();
    await store.close();
  });
});
