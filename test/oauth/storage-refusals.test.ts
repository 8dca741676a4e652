import type { EventEmitter } from 'node:events';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
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

  /**
   * A state with each collection's rows in id order: a row given back after a refusal (request-undo.ts)
   * is stored anew, at the end of its collection, where the store's own roll-back puts it back in place.
   */
  const sameRows = (state: string): string => {
    const world = JSON.parse(state) as Record<string, unknown>;
    for (const rows of Object.values(world))
      if (Array.isArray(rows))
        rows.sort((a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return JSON.stringify(world);
  };

  /** What a restart would load: the store opened again from a copy of its files (the lock left out). */
  async function stateOnDisk(): Promise<string> {
    const copy = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-oauth-faults-copy-'));
    try {
      for (const file of await readdir(dir))
        if (!file.endsWith('.lock')) await copyFile(path.join(dir, file), path.join(copy, file));
      const reopened = await openStore(filePersistence(path.join(copy, 'glasshouse.json')), () => seedWorld());
      const state = stateOf(reopened);
      await reopened.close();
      return state;
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }

  /** The consent page of a new authorization to Tunewave, and its Allow (POST …/confirm) ready to send. */
  async function consentOf(browser: Agent): Promise<{ confirm: () => Promise<Response>; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    let page = await browser.get(authorizationPath({ ...tunewave, scopes: SCOPES, state: 'c', challenge }));
    while (page.status === 303 || page.status === 302)
      page = await browser.get(new URL(page.headers['location']!, url).pathname);
    const uid = /action="\/interaction\/([^/"]+)\/confirm"/.exec(page.text)?.[1];
    expect(uid).toBeDefined();
    const confirm = () =>
      browser
        .post(`/interaction/${uid}/confirm`)
        .set('Accept', 'text/html')
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
    return { confirm, verifier };
  }

  /** Follows a browser from `/auth` (consenting on the way) to the resume link `/auth/:uid` it is sent to. */
  async function resumePathFor(browser: Agent, auth: string): Promise<string> {
    let res: Response = await browser.get(auth);
    for (let hop = 0; hop < 12; hop++) {
      const uid = res.status === 200 ? /action="\/interaction\/([^/"]+)\/confirm"/.exec(res.text)?.[1] : undefined;
      if (uid) {
        res = await browser
          .post(`/interaction/${uid}/confirm`)
          .type('form')
          .send({ _csrf: csrfFrom(res.text) });
        continue;
      }
      const next = new URL(res.headers['location']!, url);
      if (/^\/auth\/[^/]+$/.test(next.pathname)) return next.pathname;
      res = await browser.get(next.pathname + next.search);
    }
    throw new Error('no resume link');
  }

  /**
   * The provider writes in steps (request-undo.ts). For each step after the first: a fresh request
   * (`prepare`) sent with that step refused (write, then fsync) must answer 503 and leave the store,
   * memory and file, as it was, with no cookie set; the same request then succeeds. Ends when a
   * request has no such step. Returns how many steps were refused.
   */
  async function everyLaterStepRefused(
    prepare: () => Promise<() => Promise<Response>>,
    succeeded: (res: Response) => Promise<void>,
  ): Promise<number> {
    for (let done = 1; done < 24; done++) {
      for (const call of ['write', 'sync'] as const) {
        const send = await prepare();
        await store.flush();
        const before = stateOf(store);
        const calls = faults.calls[call];
        faults.failAfter(call, call === 'write' ? 'ENOSPC' : 'EIO', done);
        let res: Response;
        try {
          res = await send();
        } finally {
          faults.heal();
        }
        if (faults.calls[call] - calls <= done) {
          await succeeded(res); // no step left to refuse
          return done - 1;
        }
        expect([res.status, call, done]).toEqual([503, call, done]);
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(sameRows(stateOf(store))).toBe(sameRows(before));
        expect(sameRows(await stateOnDisk())).toBe(sameRows(before));
        await succeeded(await send());
      }
    }
    throw new Error('more than 12 steps');
  }

  it('When a code exchange is refused after it consumed the code (and stored an access token), then nothing stays: the retry gets tokens once, not a replay that revokes the grant', async () => {
    let exchange = { code: '', verifier: '' };
    const refused = await everyLaterStepRefused(
      async () => {
        exchange = await codeFor();
        return () => exchangeCode(url, tunewave, exchange.code, exchange.verifier);
      },
      async (res) => {
        expect(res.status).toBe(200);
        await request(url).get('/api/v1/me').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
        // Still single use: another exchange is the replay it now is.
        expect((await exchangeCode(url, tunewave, exchange.code, exchange.verifier)).body.error).toBe('invalid_grant');
      },
    );
    expect(refused).toBeGreaterThanOrEqual(2); // code consumed → access token → refresh token
  });

  it('When a refresh is refused after it consumed the old refresh token, then nothing stays and the retry rotates it', async () => {
    const refused = await everyLaterStepRefused(
      async () => {
        const { refresh_token } = await tokens();
        return () => refreshTokens(url, tunewave, refresh_token);
      },
      async (res) => {
        expect(res.status).toBe(200);
        await answered(refreshTokens(url, tunewave, res.body.refresh_token));
      },
    );
    expect(refused).toBeGreaterThanOrEqual(1);
  });

  it('When a resume (GET /auth/:uid) is refused after it deleted its interaction, then nothing stays, no cookie is set, and the same link goes on once the disk heals', async () => {
    const erin = await loggedInAgent(url, 'erin');
    const { verifier, challenge } = pkcePair();
    const resume = await resumePathFor(erin, authorizationPath({ ...tunewave, scopes: SCOPES, state: 'r', challenge }));
    // Each answer renews erin's web session cookie (same id, later expiry): the one cookie allowed below.
    const cookiesOf = (res: Response) => [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!);
    const erinSession = cookiesOf(await erin.get('/').expect(200)).find((c) => c.startsWith('glasshouse.sid='));
    expect(erinSession).toBeDefined();
    await store.flush();
    const before = stateOf(store);
    faults.failAfter('write', 'ENOSPC', 1);
    let refused: Response;
    try {
      refused = await erin.get(resume).set('Accept', 'text/html');
    } finally {
      faults.heal();
    }
    expectErrorPage(refused);
    expect(cookiesOf(refused).filter((c) => c !== erinSession)).toEqual([]);
    expect(sameRows(stateOf(store))).toBe(sameRows(before));
    expect(sameRows(await stateOnDisk())).toBe(sameRows(before));
    const { redirect } = await browseToRedirect({ url, agent: erin, path: resume, redirectUri: tunewave.redirectUri });
    await answered(exchangeCode(url, tunewave, redirect.searchParams.get('code')!, verifier));
  });

  it('When a registration (POST /reg) is refused after it stored the client, then no client stays and the retry registers one', async () => {
    const clientsBefore = store.all('clients').length;
    const refused = await everyLaterStepRefused(
      async () => () =>
        request(url)
          .post('/reg')
          .set('Authorization', `Bearer ${config.ADMIN_TOKEN}`)
          .send({ redirect_uris: ['https://app.example/cb'], client_name: 'Registered in steps' }),
      async (res) => {
        expect(res.status).toBe(201);
        expect(res.body.registration_access_token).toEqual(expect.any(String));
      },
    );
    expect(refused).toBeGreaterThanOrEqual(1);
    // One client per successful registration: each refused try left none.
    expect(store.all('clients').length - clientsBefore).toBe(2 * refused + 1);
  });

  it.each([
    ['a token issued without a browser (POST /admin/tokens)', 'issue'],
    ['a grant narrowed (Apps and websites)', 'narrow'],
    ['a grant revoked (Apps and websites)', 'revoke'],
    ['every grant of a client revoked (POST /admin/tokens/revoke { clientId })', 'revokeClient'],
    ['every grant of a client narrowed (the monitor\'s "Reduce to what it used")', 'narrowClient'],
  ] as const)(
    'When %s is refused at any of its steps, then nothing stays (memory and file), and the same operation succeeds once the disk heals',
    async (_name, operation) => {
      /** The operation, ready to send (a grant of its own for narrow and revoke, made beforehand). */
      const prepare = async (): Promise<() => Promise<unknown>> => {
        if (operation === 'issue')
          return () =>
            platform.tokens.issue({ personId: 'p_carol', clientId: 'tunewave', scopes: ['profile', 'messages:read'] });
        // Two people's grants to Reelbox: the operations on a client's grants must not stop after the first.
        const grantIds = await Promise.all(
          ['p_dave', 'p_erin'].map(async (personId) => {
            const { access_token } = await platform.tokens.issue({
              personId,
              clientId: 'reelbox',
              scopes: ['profile', 'messages:read', 'messages:write'],
            });
            return (await platform.tokens.verify(access_token)).grantId;
          }),
        );
        const grantId = grantIds[0]!;
        if (operation === 'narrow') return () => platform.tokens.narrowGrant(grantId, ['profile']);
        if (operation === 'revoke') return () => platform.tokens.revokeGrant(grantId);
        if (operation === 'revokeClient') return () => platform.tokens.revoke({ clientId: 'reelbox' });
        return () => platform.tokens.narrowGrants(grantIds.map((id) => ({ grantId: id, keep: ['profile'] })));
      };
      let refused = 0;
      for (let done = 1; done < 12; done++) {
        const send = await prepare();
        await store.flush();
        const before = stateOf(store);
        const writes = faults.calls.write;
        faults.failAfter('write', 'ENOSPC', done);
        let failed: unknown;
        const announced: string[] = [];
        const off = platform.events.on('grant.revoked', ({ personId }) => announced.push(personId));
        try {
          await send();
        } catch (err) {
          failed = err;
        } finally {
          faults.heal();
          off();
        }
        if (faults.calls.write - writes <= done) {
          expect(failed).toBeUndefined(); // no step left to refuse
          break;
        }
        expect(failed).toBeInstanceOf(Error);
        expect(announced).toEqual([]); // nothing was revoked: no socket closed, nothing told to the monitor
        expect(sameRows(stateOf(store))).toBe(sameRows(before));
        expect(sameRows(await stateOnDisk())).toBe(sameRows(before));
        await send(); // healed: it goes through
        refused++;
      }
      expect(refused).toBeGreaterThanOrEqual(1);
    },
  );

  it('When a code is exchanged while its grant is being narrowed on a slow disk, then the narrowing does not write the code back unconsumed: it is still single use', async () => {
    const first = await tokens(); // a grant with an access and a refresh token
    const { grantId } = await platform.tokens.verify(first.access_token);
    const { code, verifier } = await codeFor(); // another code of the same grant, not exchanged yet
    const codeRow = () =>
      store
        .all('oidc')
        .find((r) => r.model === 'AuthorizationCode' && r.payload['grantId'] === grantId && !r.payload['consumed']);
    expect(codeRow()).toBeDefined();
    await store.flush();
    const slow = faults.holdSyncs(1); // the grant's own save goes through; the token rows wait
    let exchanged: Promise<Response> | undefined;
    try {
      const narrowing = platform.tokens.narrowGrant(grantId, ['profile']);
      // The narrowing has read its rows and waits on the disk; the exchange consumes the code meanwhile.
      while (slow.waiting() === 0) await new Promise((r) => setImmediate(r));
      exchanged = exchangeCode(url, tunewave, code, verifier).then((r) => r);
      while (codeRow()) await new Promise((r) => setImmediate(r));
      slow.release();
      await narrowing;
    } finally {
      slow.release();
    }
    expect((await exchanged!).status).toBe(200);
    expect(codeRow()).toBeUndefined(); // still consumed
    expect((await exchangeCode(url, tunewave, code, verifier)).body.error).toBe('invalid_grant');
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
    const { confirm } = await consentOf(await loggedInAgent(url, 'bob'));
    expectErrorPage(await underFault('write', 'ENOSPC', confirm));
    expect((await confirm()).status).toBe(303);
  });

  it.each([
    ['carol', 1, 'the grant saved'],
    ['dave', 2, 'the grant and the authorization record saved'],
  ])(
    'When %s consents and the write after %i steps (%s) is refused, then the error page shows, nothing stays (no grant, no record, no consent step on the monitor), and Allow works once the disk heals',
    async (person, done) => {
      const browser = await loggedInAgent(url, person);
      const { confirm, verifier } = await consentOf(browser);
      const steps: unknown[] = [];
      const stopListening = platform.events.on('oauth.step', (s) => steps.push(s));
      await store.flush();
      const before = stateOf(store);
      faults.failAfter('write', 'ENOSPC', done);
      let refused: Response;
      try {
        refused = await confirm();
      } finally {
        faults.heal();
        stopListening();
      }
      expectErrorPage(refused);
      expect(sameRows(stateOf(store))).toBe(sameRows(before));
      expect(sameRows(await stateOnDisk())).toBe(sameRows(before));
      expect(steps).toEqual([]);
      const { redirect } = await browseToRedirect({
        url,
        agent: browser,
        path: new URL((await confirm()).headers['location']!, url).pathname,
        redirectUri: tunewave.redirectUri,
      });
      await answered(exchangeCode(url, tunewave, redirect.searchParams.get('code')!, verifier));
    },
  );

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
