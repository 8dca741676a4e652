import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { PARTNER_SCOPES } from '../../partners/app/config.js';
import { tunewaveConfig } from '../../partners/tunewave/tunewave.js';
import {
  connectPartnerSocket,
  createDPoPKey,
  createGlasshouseClient,
  whenConnected,
  type TokenSet,
} from '../../partners/sdk/index.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { listenOnEphemeralPort } from '../../server/src/http/startup.js';
import { syncPartnerClients } from '../../server/src/store/sync-partner-clients.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { authorizeAtGlasshouse } from './helpers/demo.js';
import { openFeed, sessionCookie, type EventStream } from './helpers/event-stream.js';
import { expireAccessTokens } from './helpers/glasshouse.js';
import { startPartner, type RunningPartner } from './helpers/partner.js';
import { sdkTokens } from '../helpers/sdk-tokens.js';

const credentials = { clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave };

/** Whether the platform holds the person's live access tokens for Tunewave as DPoP-bound (RFC 9449 `cnf.jkt`). */
function liveTokens(gh: RunningPlatform, username: string) {
  return gh.store
    .all('oidc')
    .filter(
      (r) =>
        r.model === 'AccessToken' && r.payload['clientId'] === 'tunewave' && r.payload['accountId'] === `p_${username}`,
    )
    .filter((r) => (r.expiresAt ?? 0) > Date.now())
    .map((r) => ({ bound: typeof r.payload['jkt'] === 'string' }));
}

/** DPoP (RFC 9449) from the partner's side: the SDK option, and a Tunewave running with `dpop: true`. */
describe('DPoP-bound partners', () => {
  let gh: RunningPlatform;
  let tunewave: RunningPartner;
  let feed: EventStream | undefined;
  beforeAll(async () => {
    const listening = await listenOnEphemeralPort();
    gh = await startPlatform({}, { tunewaveUrl: listening.url });
    // As `npm start` registers it with PARTNERS_DPOP=true: a token request without a proof is refused.
    const reelboxUrl = gh.store.client('reelbox')!.metadata['client_uri'] as string;
    await syncPartnerClients(gh.store, {
      tunewave: { baseUrl: listening.url, clientSecret: PARTNER_SECRETS.tunewave, dpop: true },
      reelbox: { baseUrl: reelboxUrl, clientSecret: PARTNER_SECRETS.reelbox },
    });
    tunewave = await startPartner(gh.url, tunewaveConfig, { listening, overrides: { dpop: true } });
  });
  afterEach(() => feed?.close());
  afterAll(async () => {
    await tunewave.close();
    await gh.close();
  });

  /** SDK-only: tokens for `username` from a code exchange that carries a proof of `dpop`. */
  const boundTokens = (username: string, dpop: ReturnType<typeof createDPoPKey>): Promise<TokenSet> =>
    sdkTokens({ platformUrl: gh.url, partnerUrl: tunewave.url, username, scopes: PARTNER_SCOPES, dpop });

  it('When the SDK exchanges a code with a DPoP key, then the token is bound: it works with proofs (API and socket) and not as Bearer', async () => {
    const dpop = createDPoPKey();
    const tokens = await boundTokens('alice', dpop);
    expect(tokens.tokenType).toBe('dpop');
    expect(
      (await createGlasshouseClient({ baseUrl: gh.url, accessToken: tokens.accessToken, dpop }).me()).username,
    ).toBe('alice');
    await expect(
      createGlasshouseClient({ baseUrl: gh.url, accessToken: tokens.accessToken }).me(),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      createGlasshouseClient({ baseUrl: gh.url, accessToken: tokens.accessToken, dpop: createDPoPKey() }).me(),
    ).rejects.toMatchObject({ status: 401 });

    const withProof = connectPartnerSocket({ baseUrl: gh.url, token: tokens.accessToken, dpop, reconnection: false });
    const withoutProof = connectPartnerSocket({ baseUrl: gh.url, token: tokens.accessToken, reconnection: false });
    try {
      await whenConnected(withProof);
      await expect(whenConnected(withoutProof)).rejects.toThrow();
    } finally {
      withProof.disconnect();
      withoutProof.disconnect();
    }
  });

  it('When a DPoP client refreshes after its token expired, then the new token is bound to the same key and the call succeeds', async () => {
    const dpop = createDPoPKey();
    const first = await boundTokens('bob', dpop);
    const client = createGlasshouseClient({ baseUrl: gh.url, ...first, ...credentials, dpop });
    expect(await expireAccessTokens(gh, 'tunewave', 'bob')).toBeGreaterThan(0);
    expect((await client.me()).username).toBe('bob');
    expect(client.tokens.accessToken).not.toBe(first.accessToken);
    expect(client.tokens.tokenType).toBe('dpop');
    expect(liveTokens(gh, 'bob')).toEqual([{ bound: true }]);
  });

  it('When a person logs into Tunewave with dpop on, then its tokens are bound, its pages work, and its live feed (socket) delivers', async () => {
    const { agent, redirect } = await authorizeAtGlasshouse(gh, tunewave, 'carol');
    const callback = await agent.get(redirect.pathname + redirect.search).expect(303);
    expect(liveTokens(gh, 'carol')).toEqual([{ bound: true }]);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Alice');

    feed = await openFeed(tunewave.url, sessionCookie(callback.headers['set-cookie'], 'tunewave.sid'));
    expect(await feed.next('status')).toEqual({ live: false });
    expect(await feed.next('status')).toEqual({ live: true });
    await gh.platform.social.send('p_alice', 't_alice_carol', { text: 'Proof of possession' });
    expect(await feed.next('message')).toMatchObject({ threadId: 't_alice_carol', text: 'Proof of possession' });
  });

  it('When the partner with dpop on refreshes an expired token, then its pages still load with a bound token', async () => {
    const { agent, redirect } = await authorizeAtGlasshouse(gh, tunewave, 'dave');
    await agent.get(redirect.pathname + redirect.search).expect(303);
    expect(await expireAccessTokens(gh, 'tunewave', 'dave')).toBe(1);
    await agent.get('/seen').set('Accept', 'text/html').expect(200);
    expect(liveTokens(gh, 'dave')).toEqual([{ bound: true }]);
  });

  it('When Tunewave runs without dpop, then its tokens are plain Bearer tokens (the option is what binds them)', async () => {
    const listening = await listenOnEphemeralPort();
    const plainPlatform = await startPlatform({}, { tunewaveUrl: listening.url });
    const plain = await startPartner(plainPlatform.url, tunewaveConfig, { listening });
    try {
      const { agent, redirect } = await authorizeAtGlasshouse(plainPlatform, plain, 'erin');
      await agent.get(redirect.pathname + redirect.search).expect(303);
      expect(liveTokens(plainPlatform, 'erin')).toEqual([{ bound: false }]);
      await supertest(plain.url).get('/healthz').expect(200);
    } finally {
      await plain.close();
      await plainPlatform.close();
    }
  });
});
