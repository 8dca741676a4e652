import { describe, expect, it } from '@jest/globals';
import { createAuthorizations } from '../../server/src/oauth/authorizations.js';
import { EventBus } from '../../server/src/events.js';
import request from 'supertest';
import { PARTNER_SECRETS } from '../../seed/world.js';
import {
  authorizationPath,
  browseToRedirect,
  exchangeCode,
  pkcePair,
  refreshTokens,
  type ClientCredentials,
} from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9';

/** A promise and the function that resolves it. */
function signal(): { done: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const done = new Promise<void>((resolve) => (fire = resolve));
  return { done, fire };
}

describe('One current grant per person and client, whatever the order of consents and revocations', () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL });
  const tunewave: ClientCredentials = {
    clientId: 'tunewave',
    clientSecret: PARTNER_SECRETS.tunewave,
    redirectUri: `${PARTNER_URL}/auth/callback`,
  };
  const me = (token: string) => request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${token}`);

  /** dave's browser flow up to the consent page, which waits for `before`, then the code exchange. */
  async function consentIn(agentReady: Promise<import('supertest').Agent>, shown: () => void, before: Promise<void>) {
    const agent = await agentReady;
    const { verifier, challenge } = pkcePair();
    const path = authorizationPath({ ...tunewave, scopes: ['profile', 'messages:read'], state: 's', challenge });
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent,
      path,
      redirectUri: tunewave.redirectUri,
      beforeDecision: () => (shown(), before),
    });
    const res = await exchangeCode(gh.url, tunewave, redirect.searchParams.get('code')!, verifier);
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string };
  }

  it('When dave allows Tunewave in two browsers whose consent pages were open at once, then both tokens are of one grant, and "Remove" ends both', async () => {
    const [shownA, shownB, doneA] = [signal(), signal(), signal()];
    const bothShown = Promise.all([shownA.done, shownB.done]).then(() => undefined);
    const a = consentIn(loggedInAgent(gh.url, 'dave'), shownA.fire, bothShown);
    const b = consentIn(
      loggedInAgent(gh.url, 'dave'),
      shownB.fire,
      Promise.all([bothShown, doneA.done]).then(() => undefined),
    );
    const first = await a;
    doneA.fire();
    const second = await b;
    const grants = await Promise.all(
      [first, second].map(async (t) => (await gh.platform.tokens.verify(t.access_token)).grantId),
    );
    expect(grants[1]).toBe(grants[0]);

    const agent = await loggedInAgent(gh.url, 'dave');
    const page = await agent.get('/settings/apps').expect(200);
    await agent
      .post('/settings/apps/tunewave/revoke')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    for (const t of [first, second]) {
      await me(t.access_token).expect(401);
      expect((await refreshTokens(gh.url, tunewave, t.refresh_token)).body.error).toBe('invalid_grant');
    }
  });

  it("When a change of alice's Tunewave grant waits, then a change of bob's grant runs alongside, and another of alice's waits its turn", async () => {
    const authorizations = createAuthorizations(gh.store, new EventBus(), () => 0);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = authorizations.oneAtATime([{ personId: 'p_alice', clientId: 'tunewave' }], async () => {
      await held;
      order.push('alice 1');
    });
    const second = authorizations.oneAtATime([{ personId: 'p_alice', clientId: 'tunewave' }], async () => {
      order.push('alice 2');
    });
    await authorizations.oneAtATime([{ personId: 'p_bob', clientId: 'tunewave' }], async () => {
      order.push('bob');
    });
    expect(order).toEqual(['bob']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['bob', 'alice 1', 'alice 2']);
  });

  it('When five tokens are issued at once without a browser (POST /admin/tokens), then they are of one grant', async () => {
    const issued = await Promise.all(
      Array.from({ length: 5 }, () =>
        gh.platform.tokens.issue({ personId: 'p_erin', clientId: 'reelbox', scopes: ['messages:read'] }),
      ),
    );
    const grants = new Set(
      await Promise.all(issued.map(async (t) => (await gh.platform.tokens.verify(t.access_token)).grantId)),
    );
    expect(grants.size).toBe(1);
  });
});
