import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest, { type Agent } from 'supertest';
import { MAX_PENDING_LOGINS, PENDING_LOGIN_MAX_AGE_MS } from '../../partners/app/pending-logins.js';
import { loginInBrowser } from '../helpers/browser.js';
import { browseToRedirect } from '../helpers/oauth-flow.js';
import { loggedInAgent } from '../helpers/web-session.js';
import { startDemo, type RunningDemo } from './helpers/demo.js';
import { useDemoAndBrowser } from './helpers/demo-in-browser.js';

/**
 * Several login tabs on one partner browser (one session cookie): each `GET /auth/login` is a
 * pending authorization request of its own (state + PKCE verifier), and any valid callback
 * completes, in any order. Real platform, real partner, HTTP through every redirect.
 */
describe('partner login from several tabs', () => {
  let demo: RunningDemo;
  let clock = Date.now();
  beforeAll(async () => {
    demo = await startDemo({ now: () => clock });
  });
  afterAll(async () => {
    await demo.close();
  });

  /** One tab's login: the partner's redirect answered by Glasshouse; returns the callback path. */
  async function tab(browser: Agent, platform: Agent): Promise<string> {
    const start = await browser.get('/auth/login').expect(302);
    const authorize = new URL(start.headers['location']!);
    const { redirect } = await browseToRedirect({
      url: demo.gh.url,
      agent: platform,
      path: authorize.pathname + authorize.search,
      redirectUri: `${demo.tunewave.url}/auth/callback`,
    });
    expect(redirect.searchParams.get('code')).toBeTruthy();
    return redirect.pathname + redirect.search;
  }

  /** Starts `n` logins in the same browser before any callback comes back. */
  async function tabs(n: number, username: string): Promise<{ browser: Agent; callbacks: string[] }> {
    const browser = supertest.agent(demo.tunewave.url);
    const platform = await loggedInAgent(demo.gh.url, username);
    const callbacks: string[] = [];
    for (let i = 0; i < n; i += 1) callbacks.push(await tab(browser, platform));
    return { browser, callbacks };
  }

  it.each([
    ['in the order they started', [0, 1], 'alice'],
    ['in the reverse order', [1, 0], 'bob'],
  ])(
    'When two tabs start a login and their callbacks come back %s, then both complete',
    async (_label, order, username) => {
      const { browser, callbacks } = await tabs(2, username);
      for (const i of order) {
        await browser.get(callbacks[i]!).set('Accept', 'text/html').expect(303).expect('Location', '/');
        await browser.get('/seen').set('Accept', 'text/html').expect(200);
      }
    },
  );

  it('When a callback comes back a second time, then it is refused (its pending request was used)', async () => {
    const { browser, callbacks } = await tabs(2, 'carol');
    await browser.get(callbacks[0]!).expect(303);
    const again = await browser.get(callbacks[0]!).set('Accept', 'text/html').expect(400);
    expect(again.text).toContain('This login could not be verified');
    await browser.get(callbacks[1]!).expect(303).expect('Location', '/');
  });

  it(`When more than ${MAX_PENDING_LOGINS} logins are pending, then the oldest is forgotten and the newest completes`, async () => {
    const { browser, callbacks } = await tabs(MAX_PENDING_LOGINS + 1, 'dave');
    const oldest = await browser.get(callbacks[0]!).set('Accept', 'text/html').expect(400);
    expect(oldest.text).toContain('This login could not be verified');
    await browser.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
    await browser.get(callbacks[1]!).expect(303).expect('Location', '/');
    await browser.get(callbacks[MAX_PENDING_LOGINS]!).expect(303).expect('Location', '/');
  });

  it('When a callback comes back after the pending request grew too old, then it is refused', async () => {
    const { browser, callbacks } = await tabs(2, 'erin');
    clock += PENDING_LOGIN_MAX_AGE_MS;
    try {
      const late = await browser.get(callbacks[1]!).set('Accept', 'text/html').expect(400);
      expect(late.text).toContain('This login could not be verified');
      await browser.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
    } finally {
      clock = Date.now();
    }
  });
});

/** The same, as a person does it: two tabs of one Chromium profile, consent given in reverse order. */
describe('partner login from two browser tabs', () => {
  const env = useDemoAndBrowser();

  it('When two tabs reach the consent page and the second is allowed first, then both end logged in on Reelbox', async () => {
    const { demo, browser } = env;
    const context = await browser.newContext();
    try {
      await loginInBrowser(await context.newPage(), demo.gh.url, 'frank');
      const tabs = [await context.newPage(), await context.newPage()];
      for (const tab of tabs) {
        await tab.goto(demo.reelbox.url);
        await tab.locator('#login-with-glasshouse').click();
        await tab.locator('button[data-consent="approve"]').waitFor();
      }
      for (const tab of [...tabs].reverse()) {
        await Promise.all([
          tab.waitForURL(`${demo.reelbox.url}/`),
          tab.locator('button[data-consent="approve"]').click(),
        ]);
        expect(await tab.locator('[data-failure]').count()).toBe(0);
      }
      const seen = await tabs[0]!.goto(`${demo.reelbox.url}/seen`);
      expect(seen?.status()).toBe(200);
      expect(new URL(tabs[0]!.url()).pathname).toBe('/seen');
    } finally {
      await context.close();
    }
  });
});
