import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { loginInBrowser } from '../helpers/browser.js';
import { useDemoAndBrowser } from './helpers/demo-in-browser.js';
import type { RunningPartner } from './helpers/partner.js';

/**
 * Opens a Glasshouse page and resolves once its inbox socket is live: the server has acknowledged
 * the socket.io CONNECT (`40…` frame), by which time the socket has joined the person's room.
 */
async function gotoLiveInbox(page: Page, url: string): Promise<void> {
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no inbox socket for ${url} within 5 s`)), 5000);
    page.once('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string' && payload.startsWith('40')) {
          clearTimeout(timer);
          resolve();
        }
      }),
    );
  });
  await page.goto(url);
  await connected;
}

/** In a fresh page: the partner's "Log in with Glasshouse", the platform's login and consent, back. */
async function logIntoPartner(page: Page, gh: string, partner: RunningPartner, username: string): Promise<void> {
  await page.goto(partner.url);
  await page.locator('#login-with-glasshouse').click();
  await page.waitForURL((u) => u.origin === gh && u.pathname.startsWith('/login'));
  await loginInBrowser(page, gh, username);
  await Promise.all([page.waitForURL(`${partner.url}/`), page.locator('button[data-consent="approve"]').click()]);
}

/**
 * The demo story in Chromium, for both partners: alice logs into the partner with Glasshouse, shares
 * with bob and presses play; bob's open thread shows the card without reload. Then the partner's
 * "what we can see" reads a group thread it never wrote in and deletes a message, which vanishes
 * from bob's open thread live.
 */
describe('the demo story in a real browser', () => {
  const env = useDemoAndBrowser();
  /** Bob only watches his threads: one logged-in page for both stories (closed with the browser). */
  let bob: Page;
  beforeAll(async () => {
    bob = await (await env.browser.newContext()).newPage();
    await loginInBrowser(bob, env.demo.gh.url, 'bob');
  });

  it.each([
    ['tunewave', 'Gymnopédie No. 1', 'Please no peanuts, I am allergic.'],
    ['reelbox', 'A Trip to the Moon', 'I can drive, four seats.'],
  ] as const)(
    'When alice plays on %s with bob chosen, then bob sees "now playing" live, and a deletion on "what we can see" vanishes from his thread',
    async (name, firstTitle, victim) => {
      const { demo, browser } = env;
      const partner = demo[name];
      const aliceContext = await browser.newContext();
      let reloaded = false;
      const onBobLoad = () => (reloaded = true);
      try {
        const alice = await aliceContext.newPage();
        await logIntoPartner(alice, demo.gh.url, partner, 'alice');

        await gotoLiveInbox(bob, `${demo.gh.url}/threads/t_alice_bob`);
        bob.on('load', onBobLoad);

        await alice.locator('input[data-username="bob"]').check();
        await alice.locator('#share-status', { hasText: 'Saved' }).waitFor();
        const played = alice.waitForResponse((r) => r.url().endsWith('/play') && r.status() === 200);
        await alice.locator('.item').first().locator('.play-item').click();
        await played;
        // Within a second of the partner's send, without reload.
        await bob.locator('#messages .now-playing .np-title', { hasText: firstTitle }).waitFor({ timeout: 1000 });
        expect(reloaded).toBe(false);
        expect(await alice.locator('#np-status').textContent()).toContain('Bob Okafor');
        // The player advances in real time.
        const progress = await alice.locator('#np-progress').evaluate((el) => (el as HTMLProgressElement).value);
        await alice.waitForFunction(
          (before) => (document.getElementById('np-progress') as HTMLProgressElement).value > before,
          progress,
        );

        // Bob's reply reaches the partner's live feed (platform socket → partner server → SSE).
        await alice.locator('#feed-status[data-live="true"]').waitFor();
        await demo.gh.platform.social.send('p_bob', 't_alice_bob', { text: `Nice pick on ${name}!` });
        await alice.locator('#feed li', { hasText: `Nice pick on ${name}!` }).waitFor({ timeout: 3000 });

        await gotoLiveInbox(bob, `${demo.gh.url}/threads/g_weekend`);
        reloaded = false;
        await alice.goto(`${partner.url}/seen`);
        await alice.locator('a', { hasText: 'Weekend plans' }).click();
        await alice.locator('#participants', { hasText: 'Erin Castillo' }).waitFor();
        await alice.locator('#messages li', { hasText: victim }).locator('button', { hasText: 'Delete' }).click();
        await bob.locator('#messages .text', { hasText: victim }).waitFor({ state: 'detached', timeout: 3000 });
        await alice.locator('.notice', { hasText: 'The message was deleted' }).waitFor();
        expect(reloaded).toBe(false);
      } finally {
        bob.off('load', onBobLoad);
        await aliceContext.close();
      }
    },
  );
});
