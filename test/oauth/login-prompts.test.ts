import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oauth from 'oauth4webapi';
import request, { type Agent, type Response } from 'supertest';
import { testConfig } from '../../server/src/config.js';
import { listenOnEphemeralPort } from '../../server/src/http/startup.js';
import { createPlatform, type Platform } from '../../server/src/platform.js';
import { openMemoryStore } from '../../server/src/store/open-data-file.js';
import type { Store } from '../../server/src/store/store.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT_URI = 'http://127.0.0.1:9/oidc/callback';

/**
 * OIDC Core §3.1.2.1 `prompt=login`, `max_age`, `login_hint`, and a real `auth_time`. The platform
 * runs on a clock the test sets, so "logged in 10 minutes ago" is a fact, not a sleep.
 */
describe('Login prompts: prompt=login, max_age and login_hint (OIDC Core §3.1.2.1)', () => {
  let platform: Platform;
  let store: Store;
  let url: string;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let auth: oauth.ClientAuth;
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;

  beforeAll(async () => {
    store = await openMemoryStore();
    const listening = await listenOnEphemeralPort();
    url = listening.url;
    const config = testConfig({ PLATFORM_PORT: new URL(url).port, PLATFORM_URL: url });
    platform = createPlatform({ config, store, clock: { now }, httpServer: listening.server });
    as = await oauth.processDiscoveryResponse(
      new URL(url),
      await oauth.discoveryRequest(new URL(url), { algorithm: 'oidc', ...insecure }),
    );
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        { redirect_uris: [REDIRECT_URI], client_name: 'Podnest', scope: 'openid profile' },
        { initialAccessToken: config.ADMIN_TOKEN, ...insecure },
      ),
    );
    client = { client_id: registered.client_id, id_token_signed_response_alg: 'ES256' };
    auth = oauth.ClientSecretBasic(registered['client_secret'] as string);
  });
  afterAll(async () => {
    await platform.close();
    await store.close();
  });

  /** `username` logged in `minutesAgo` minutes ago (by the platform's clock), with alice's consent to Podnest already given. */
  async function personLoggedIn(username: string, minutesAgo: number): Promise<Agent> {
    offsetMs = -minutesAgo * 60_000;
    const agent = await loggedInAgent(url, username);
    offsetMs = 0;
    return agent;
  }

  interface Flow {
    verifier: string;
    nonce: string;
    maxAge?: number;
  }
  /** Where a flow stops: a page of ours that is not the consent page (`page`), or the ID token claims. */
  type Outcome = { page: Response; claims?: undefined } | { page?: undefined; claims: oauth.IDToken };

  /** Plays the browser from `res` on: follows redirects, approves consent, exchanges the code at the redirect URI. */
  async function drive(agent: Agent, first: Response, flow: Flow): Promise<Outcome> {
    let res = first;
    for (let hop = 0; hop < 12; hop += 1) {
      if (res.status >= 300 && res.status < 400) {
        const next = new URL(res.headers['location']!, url);
        if (next.href.startsWith(REDIRECT_URI)) {
          const callback = oauth.validateAuthResponse(as, client, next, oauth.expectNoState);
          const response = await oauth.authorizationCodeGrantRequest(
            as,
            client,
            auth,
            callback,
            REDIRECT_URI,
            flow.verifier,
            insecure,
          );
          const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
            expectedNonce: flow.nonce,
            requireIdToken: true,
            ...(flow.maxAge === undefined ? {} : { maxAge: flow.maxAge }),
          });
          return { claims: oauth.getValidatedIdTokenClaims(tokens)! };
        }
        res = await agent.get(next.pathname + next.search);
        continue;
      }
      const consent = res.status === 200 ? /action="(\/interaction\/[^/"]+)\/confirm"/.exec(res.text)?.[1] : undefined;
      if (!consent) return { page: res };
      res = await agent
        .post(`${consent}/confirm`)
        .type('form')
        .send({ _csrf: csrfFrom(res.text) });
    }
    throw new Error('too many hops');
  }

  /** Starts an authorization request with `extra` parameters (prompt, max_age, login_hint). */
  async function authorize(agent: Agent, extra: Record<string, string>): Promise<Outcome & { flow: Flow }> {
    const flow: Flow = { verifier: oauth.generateRandomCodeVerifier(), nonce: oauth.generateRandomNonce() };
    if (extra['max_age'] !== undefined) flow.maxAge = Number(extra['max_age']);
    const params = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid profile',
      nonce: flow.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { ...(await drive(agent, await agent.get(`/auth?${params.toString()}`), flow)), flow };
  }

  /** Posts the login step's "Continue as …" form of `page` (with `password` when given). */
  function continueAs(agent: Agent, page: Response, password?: string): Promise<Response> {
    const action = /action="(\/interaction\/[^/"]+\/login)"/.exec(page.text)?.[1];
    if (!action) throw new Error(`no login step on the page: ${page.text.slice(0, 200)}`);
    const username = /name="username" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    return agent
      .post(action)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username, ...(password === undefined ? {} : { password }) });
  }
  const seconds = (ms: number) => Math.floor(ms / 1000);

  it('When alice logged in 10 minutes ago and an app asks with max_age=3600, then no password is asked and auth_time is that login', async () => {
    const loginAt = seconds(Date.now() - 600_000);
    const agent = await personLoggedIn('alice', 10);
    const { claims } = await authorize(agent, { max_age: '3600' });
    expect(claims?.sub).toBe('p_alice');
    expect(claims!.auth_time).toBeGreaterThanOrEqual(loginAt);
    expect(claims!.auth_time).toBeLessThanOrEqual(loginAt + 2);
  });

  it.each([
    ['prompt=login', { prompt: 'login' }],
    ['max_age=0', { max_age: '0' }],
    ['max_age=60 (she logged in 10 minutes ago)', { max_age: '60' }],
  ])(
    'When alice has a live session and an app asks with %s, then she must type her password again and auth_time is that moment',
    async (_name, extra) => {
      const agent = await personLoggedIn('alice', 10);
      const { page, flow } = await authorize(agent, extra);
      expect(page?.status).toBe(200);
      expect(page!.text).toContain('name="password"');

      const wrong = await continueAs(agent, page!, 'not-her-password');
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Wrong password.');

      const typedAt = seconds(Date.now());
      const { claims } = await drive(agent, await continueAs(agent, wrong, 'glasshouse'), {
        ...flow,
        maxAge: undefined,
      });
      expect(claims?.sub).toBe('p_alice');
      expect(claims!.auth_time).toBeGreaterThanOrEqual(typedAt);
      expect(claims!.auth_time).toBeLessThanOrEqual(seconds(Date.now()));
    },
  );

  it("When someone holding alice's session guesses her password on the sign-in step, naming another user each time, then the guesses still count against alice (429 after ten)", async () => {
    const agent = await personLoggedIn('carol', 10);
    const { page } = await authorize(agent, { prompt: 'login' });
    let last = page!;
    for (let i = 0; i < 10; i++) {
      const action = /action="(\/interaction\/[^/"]+\/login)"/.exec(page!.text)![1]!;
      last = await agent
        .post(action)
        .type('form')
        .send({ _csrf: csrfFrom(page!.text), username: `guess${i}`, password: `wrong-${i}` });
      expect(last.status).toBe(401);
    }
    const blocked = await continueAs(agent, last, 'glasshouse');
    expect(blocked.status).toBe(429);
  });

  it.each([
    ['prompt=login', { prompt: 'login' }],
    ['prompt=login consent', { prompt: 'login consent' }],
    ['max_age=0', { max_age: '0' }],
  ])(
    'When alice logged in within the same clock second as the request and an app asks with %s, then she must still type her password (only a login during this sign-in counts)',
    async (_name, extra) => {
      // Her login is stamped a second ahead: at or after the second the sign-in started (interaction `iat`).
      const agent = await personLoggedIn('alice', -1 / 60);
      const { page } = await authorize(agent, extra);
      expect(page?.status).toBe(200);
      expect(page!.text).toContain('name="password"');
    },
  );

  it('When alice is logged in and an app sends login_hint=bob, then she is offered to switch, and switching signs bob in', async () => {
    const agent = await personLoggedIn('alice', 1);
    const { page, flow } = await authorize(agent, { login_hint: 'bob' });
    expect(page?.status).toBe(200);
    expect(page!.text).toContain('data-login-hint="bob"');
    expect(page!.text).toContain('Continue as Alice');

    const switchAction = /action="(\/interaction\/[^/"]+\/switch)"/.exec(page!.text)![1]!;
    const switched = await agent
      .post(switchAction)
      .type('form')
      .send({ _csrf: csrfFrom(page!.text) });
    expect(switched.status).toBe(303);
    const loginUrl = new URL(switched.headers['location']!, url);
    expect(loginUrl.pathname).toBe('/login');
    expect(loginUrl.searchParams.get('username')).toBe('bob');
    const loginPage = await agent.get(loginUrl.pathname + loginUrl.search);
    expect(loginPage.text).toContain('value="bob"');
    const loggedIn = await agent
      .post('/login')
      .type('form')
      .send({ username: 'bob', password: 'glasshouse', _csrf: csrfFrom(loginPage.text) });
    const { claims } = await drive(agent, loggedIn, flow);
    expect(claims?.sub).toBe('p_bob');
  });

  it.each(['@bob', ' BOB ', 'p_bob'])(
    'When alice is logged in and an app sends login_hint=%j (bob written another way), then she is offered to switch to bob',
    async (hint) => {
      const agent = await personLoggedIn('alice', 1);
      const { page } = await authorize(agent, { login_hint: hint });
      expect(page?.status).toBe(200);
      expect(page!.text).toContain('data-login-hint="bob"');
      const switchAction = /action="(\/interaction\/[^/"]+\/switch)"/.exec(page!.text)![1]!;
      const switched = await agent
        .post(switchAction)
        .type('form')
        .send({ _csrf: csrfFrom(page!.text) });
      expect(new URL(switched.headers['location']!, url).searchParams.get('username')).toBe('bob');
    },
  );

  it('When alice is logged in and an app sends a login_hint that names nobody known, then she is asked (switch or continue), not answered for silently', async () => {
    const agent = await personLoggedIn('alice', 1);
    const { page, flow } = await authorize(agent, { login_hint: 'nobody-here' });
    expect(page?.status).toBe(200);
    expect(page!.text).toContain('data-login-hint="nobody-here"');
    expect(page!.text).toContain('Continue as Alice');
    const { claims } = await drive(agent, await continueAs(agent, page!), flow);
    expect(claims?.sub).toBe('p_alice');
  });

  it.each([
    ['a right-to-left override', '\u202eevil', 'evil'],
    ['control characters', 'x\u0000\u0085y', 'xy'],
    ['a zero-width space', 'bo\u200bb2', 'bob2'],
  ])(
    'When an app sends a login_hint with %s, then the page shows it without them (they would make it read as another name)',
    async (_what, hint, shown) => {
      const agent = await personLoggedIn('alice', 1);
      const { page } = await authorize(agent, { login_hint: hint });
      expect(page?.status).toBe(200);
      expect(page!.text).toContain(`data-login-hint="${shown}"`);
      for (const hidden of ['\u0000', '\u0085', '\u200b', '\u202e']) expect(page!.text).not.toContain(hidden);
    },
  );

  it('When alice is logged in and an app sends login_hint=bob, then "Continue as Alice" answers for alice (her choice, not silently)', async () => {
    const agent = await personLoggedIn('alice', 1);
    const { page, flow } = await authorize(agent, { login_hint: 'bob' });
    const { claims } = await drive(agent, await continueAs(agent, page!), flow);
    expect(claims?.sub).toBe('p_alice');
  });

  it('When nobody is logged in and an app asks with prompt=login, then the one login of this sign-in is enough', async () => {
    const agent = request.agent(url);
    const { page, flow } = await authorize(agent, { prompt: 'login', login_hint: 'bob' });
    expect(page!.text).toContain('action="/login"');
    expect(page!.text).toContain('value="bob"');
    const loggedIn = await agent
      .post('/login')
      .type('form')
      .send({ username: 'bob', password: 'glasshouse', _csrf: csrfFrom(page!.text) });
    const { claims } = await drive(agent, loggedIn, flow);
    expect(claims?.sub).toBe('p_bob');
  });

  it.each([
    ['\u202eecila', 'ecila'],
    ['b\u200bo\u200db', 'bob'],
  ])(
    'When nobody is logged in and an app sends login_hint=%j, then the login form is prefilled with %j, as it reads',
    async (hint, shown) => {
      const agent = request.agent(url);
      const { page } = await authorize(agent, { prompt: 'login', login_hint: hint });
      expect(page!.text).toContain(`value="${shown}"`);
      for (const hidden of ['\u202e', '\u200b', '\u200d']) expect(page!.text).not.toContain(hidden);
    },
  );

  it('When the login_hint names the person logged in, then the code comes at once', async () => {
    const agent = await personLoggedIn('alice', 1);
    const { claims } = await authorize(agent, { login_hint: 'alice' });
    expect(claims?.sub).toBe('p_alice');
  });
});
