import type { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request, { type Agent, type Response } from 'supertest';
import { testConfig, type Config } from '../../server/src/config.js';
import { listenOnEphemeralPort } from '../../server/src/http/startup.js';
import { createPlatform, type Platform } from '../../server/src/platform.js';
import { filePersistence } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { PARTNER_SECRETS, seedWorld } from '../../seed/world.js';
import { stateOf } from '../helpers/api.js';
import { faultyDisk, type FaultyCall } from '../helpers/faulty-disk.js';
import {
  authorizationPath,
  browseToRedirect,
  exchangeCode,
  pkcePair,
  refreshTokens,
  type ClientCredentials,
} from '../helpers/oauth-flow.js';
import { csrfFrom, loggedInAgent, switchPerson } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9'; // never contacted: tests read the redirect's Location
const tunewave: ClientCredentials = {
  clientId: 'tunewave',
  clientSecret: PARTNER_SECRETS.tunewave,
  redirectUri: `${PARTNER_URL}/auth/callback`,
};
const SCOPES = ['profile', 'messages:read'];

/** `res` once it came, checked to have `status`. */
async function answered(res: Promise<Response>, status = 200): Promise<Response> {
  const done = await res;
  expect(done.status).toBe(status);
  return done;
}

/** README "Data and storage": a refused write is 503 with `Retry-After: 5`, and nothing of it is stored. */
function expectOAuthRefusal(res: Response): void {
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  // RFC 6749 §4.1.2.1's code for "temporarily unable to handle the request", in the §5.2 shape.
  expect(res.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
}

/** The platform's own error page (not oidc-provider's or Koa's text), 503 with `Retry-After: 5`. */
function expectErrorPage(res: Response): void {
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).toMatch(/<title>[^<]*Glasshouse<\/title>/);
  expect(res.text).toContain('nothing was stored');
}

describe('when the disk refuses the write behind an OAuth endpoint (oidc-provider over our store)', () => {
  let dir: string;
  let store: Store;
  let platform: Platform;
  let url: string;
  let config: Config;
  let agent: Agent;
  const faults = faultyDisk();
  /** Errors that escaped to Koa (it prints them on stderr as unhandled). */
  const escaped: unknown[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-oauth-faults-'));
    store = await openStore(filePersistence(path.join(dir, 'glasshouse.json'), faults.disk), () =>
      seedWorld({ tunewaveUrl: PARTNER_URL }),
    );
    const listening = await listenOnEphemeralPort();
    url = listening.url;
    config = testConfig({ PLATFORM_PORT: new URL(url).port, PLATFORM_URL: url });
    platform = createPlatform({
      config,
      store,
      httpServer: listening.server,
    });
    // Koa's app 'error' event: what it would print (oidc-provider's Provider is the Koa app).
    (platform.oauth.provider as unknown as EventEmitter).on('error', (err: unknown) => escaped.push(err));
    agent = await loggedInAgent(url, 'alice');
  });
  afterAll(async () => {
    faults.heal();
    await platform?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Sends `send()` with `call` failing, checks that nothing changed, heals the disk. */
  async function underFault(call: FaultyCall, code: string, send: () => Promise<Response>): Promise<Response> {
    const before = stateOf(store);
    faults.failNext(call, code, Infinity);
    try {
      const res = await send();
      expect(stateOf(store)).toBe(before);
      return res;
    } finally {
      faults.heal();
    }
  }

  async function codeFor(): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const { redirect } = await browseToRedirect({
      url,
      agent,
      path: authorizationPath({ ...tunewave, scopes: SCOPES, state: 's', challenge }),
      redirectUri: tunewave.redirectUri,
    });
    return { code: redirect.searchParams.get('code')!, verifier };
  }
  async function tokens(): Promise<{ access_token: string; refresh_token: string }> {
    const { code, verifier } = await codeFor();
    return (await answered(exchangeCode(url, tunewave, code, verifier))).body;
  }
  const revocation = (token: string) =>
    request(url).post('/token/revocation').auth(tunewave.clientId, tunewave.clientSecret).type('form').send({ token });

  /** Each endpoint of the discovery document that writes; `prepare` returns the request, sent twice. */
  const JSON_ENDPOINTS: [string, FaultyCall, string, () => Promise<() => Promise<Response>>, number][] = [
    [
      'POST /token (authorization_code)',
      'write',
      'ENOSPC',
      async () => {
        const { code, verifier } = await codeFor();
        return () => exchangeCode(url, tunewave, code, verifier);
      },
      200,
    ],
    [
      'POST /token (refresh_token)',
      'sync',
      'EIO',
      async () => {
        const { refresh_token } = await tokens();
        return () => refreshTokens(url, tunewave, refresh_token);
      },
      200,
    ],
    [
      'POST /token/revocation',
      'write',
      'ENOSPC',
      async () => {
        const { refresh_token } = await tokens();
        return () => revocation(refresh_token);
      },
      200,
    ],
    [
      'POST /reg (Dynamic Client Registration)',
      'write',
      'EDQUOT',
      async () => () =>
        request(url)
          .post('/reg')
          .set('Authorization', `Bearer ${config.ADMIN_TOKEN}`)
          .send({ redirect_uris: ['https://app.example/cb'], client_name: 'Refused at first' }),
      201,
    ],
    [
      'POST /request (PAR)',
      'write',
      'ENOSPC',
      async () => () =>
        request(url).post('/request').auth(tunewave.clientId, tunewave.clientSecret).type('form').send({
          response_type: 'code',
          client_id: tunewave.clientId,
          redirect_uri: tunewave.redirectUri,
          scope: 'profile',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
        }),
      201,
    ],
  ];

  it.each(JSON_ENDPOINTS)(
    'When %s meets a failing %s (%s), then it answers 503 temporarily_unavailable with Retry-After, stores nothing, and the same request succeeds once the disk heals',
    async (_name, call, code, prepare, ok) => {
      const send = await prepare();
      expectOAuthRefusal(await underFault(call, code, send));
      expect((await send()).status).toBe(ok);
    },
  );

  it('When a revocation was refused, then the refresh token still works until the retried revocation ends it', async () => {
    const { refresh_token } = await tokens();
    expectOAuthRefusal(await underFault('write', 'ENOSPC', () => revocation(refresh_token)));
    const rotated = await answered(refreshTokens(url, tunewave, refresh_token));
    await revocation(rotated.body.refresh_token).expect(200);
    expect((await refreshTokens(url, tunewave, rotated.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  /** Sends `send()` with the write after its first one (the consumption) failing; nothing may change. */
  async function refusedAfterConsuming(send: () => Promise<Response>): Promise<Response> {
    const before = stateOf(store);
    const writes = faults.calls.write;
    faults.failAfter('write', 'ENOSPC', 1);
    try {
      const res = await send();
      expect(faults.calls.write - writes).toBeGreaterThanOrEqual(3); // consumed, refused, given back
      expect(stateOf(store)).toBe(before);
      return res;
    } finally {
      faults.heal();
    }
  }

  it('When the tokens cannot be stored after the code was consumed, then the code is given back: the retry gets tokens, not a replay that revokes the grant', async () => {
    const { code, verifier } = await codeFor();
    expectOAuthRefusal(await refusedAfterConsuming(() => exchangeCode(url, tunewave, code, verifier)));
    const retried = await answered(exchangeCode(url, tunewave, code, verifier));
    await request(url).get('/api/v1/me').set('Authorization', `Bearer ${retried.body.access_token}`).expect(200);
    // Still single use: a third exchange is the replay it now is.
    expect((await exchangeCode(url, tunewave, code, verifier)).body.error).toBe('invalid_grant');
  });

  it('When the rotated refresh token cannot be stored after the old one was consumed, then the old one is given back and the retry rotates it', async () => {
    const { refresh_token } = await tokens();
    expectOAuthRefusal(await refusedAfterConsuming(() => refreshTokens(url, tunewave, refresh_token)));
    const rotated = await answered(refreshTokens(url, tunewave, refresh_token));
    await answered(refreshTokens(url, tunewave, rotated.body.refresh_token));
  });

  it('When GET /auth cannot save its interaction, then the browser gets the platform error page (503, Retry-After), and the same link works once the disk heals', async () => {
    const { verifier, challenge } = pkcePair();
    const auth = authorizationPath({ ...tunewave, scopes: SCOPES, state: 'a', challenge });
    expectErrorPage(await underFault('write', 'ENOSPC', () => agent.get(auth).set('Accept', 'text/html')));
    expect((await underFault('sync', 'EIO', () => agent.get(auth))).status).toBe(503);
    const { redirect } = await browseToRedirect({ url, agent, path: auth, redirectUri: tunewave.redirectUri });
    await answered(exchangeCode(url, tunewave, redirect.searchParams.get('code')!, verifier));
  });

  it('When the consent (POST /interaction/:uid/confirm) cannot be saved, then the browser gets the error page (503, Retry-After) and Allow works once the disk heals', async () => {
    const bob = await loggedInAgent(url, 'bob');
    const { challenge } = pkcePair();
    let res = await bob.get(authorizationPath({ ...tunewave, scopes: SCOPES, state: 'c', challenge }));
    while (res.status === 303 || res.status === 302)
      res = await bob.get(new URL(res.headers['location']!, url).pathname);
    const uid = /action="\/interaction\/([^/"]+)\/confirm"/.exec(res.text)?.[1];
    expect(uid).toBeDefined();
    const confirm = () =>
      bob
        .post(`/interaction/${uid}/confirm`)
        .set('Accept', 'text/html')
        .type('form')
        .send({ _csrf: csrfFrom(res.text) });
    expectErrorPage(await underFault('write', 'ENOSPC', confirm));
    expect((await confirm()).status).toBe(303);
  });

  it('When the provider session of the previous person cannot be ended (POST /session/end/confirm), then the browser gets the error page (503, Retry-After) and the switch works once the disk heals', async () => {
    const carol = await loggedInAgent(url, 'carol');
    const { challenge } = pkcePair();
    const auth = authorizationPath({ ...tunewave, scopes: ['profile'], state: 'e', challenge });
    await browseToRedirect({ url, agent: carol, path: auth, redirectUri: tunewave.redirectUri });
    await switchPerson(carol, 'dave');
    let res = await carol.get(auth);
    while (res.status === 303 || res.status === 302) {
      const next = new URL(res.headers['location']!, url);
      res = await carol.get(next.pathname + next.search);
    }
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(res.text)?.[1];
    expect(res.text).toContain(`action="${url}/session/end/confirm"`);
    const post = () =>
      carol.post('/session/end/confirm').set('Accept', 'text/html').type('form').send({ xsrf, logout: 'yes' });
    expectErrorPage(await underFault('write', 'ENOSPC', post));
    expect((await post()).status).toBe(303);
  });

  it('When writes were refused, then no error escaped oidc-provider unhandled (Koa prints those on stderr)', () => {
    expect(escaped).toEqual([]);
  });
});
