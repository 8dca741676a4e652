import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { loginInBrowser } from '../helpers/browser.js';
import { glasshouseAdmin } from '../partners/helpers/glasshouse.js';
import type { RunningDemo } from '../partners/helpers/demo.js';
import { useDemoAndBrowser } from '../partners/helpers/demo-in-browser.js';

const ARTIFACTS = path.resolve('test-artifacts', 'walkthrough');
const VIEWPORT = { width: 1280, height: 800 };

/** Saves a 1,280 × 800 screenshot and checks the page is no wider than the window. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const { doc, win } = await page.evaluate(() => ({
    doc: document.documentElement.scrollWidth,
    win: window.innerWidth,
  }));
  expect({ page: name, width: doc }).toEqual({ page: name, width: Math.min(doc, win) });
}

/**
 * Every page of the walkthrough, at 1,280 × 800 (README, "For educators: the five-minute
 * walkthrough"): screenshots under test-artifacts/walkthrough/, no horizontal overflow, and the rough
 * edges teachers met, each checked where it showed.
 */
describe('the walkthrough pages in a real browser at 1,280 × 800', () => {
  const env = useDemoAndBrowser();
  let demo: RunningDemo;
  /** A page in a context of its own (closed with the browser), logged in as `username` if given. */
  const pageFor = async (username?: string): Promise<Page> => {
    const context = await env.browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    if (username) await loginInBrowser(page, demo.gh.url, username);
    return page;
  };
  let alice: Page;

  beforeAll(async () => {
    demo = env.demo;
    await mkdir(ARTIFACTS, { recursive: true });
    alice = await pageFor();
  });

  it('When alice logs into Tunewave, then the consent page lists each person once, and the player saves and shares', async () => {
    await alice.goto(demo.tunewave.url);
    await shoot(alice, 'partner-landing');
    await alice.locator('#login-with-glasshouse').click();
    await loginInBrowser(alice, demo.gh.url, 'alice');
    await alice.locator('.consent').waitFor();
    await shoot(alice, 'consent');
    const names = (await alice.locator('.affected li').allTextContents()).flatMap((t) =>
      t
        .replace(/^\s*\d+\s+[^:]+:/, '')
        .split(/\.\s/)[0]!
        .split(',')
        .map((n) => n.trim()),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);

    await Promise.all([
      alice.waitForURL(`${demo.tunewave.url}/`),
      alice.locator('button[data-consent="approve"]').click(),
    ]);
    await alice.locator('input[data-username="bob"]').check();
    await alice.locator('.item').first().locator('.play-item').click();
    await alice.locator('#np-status', { hasText: 'Bob Okafor' }).waitFor();
    const saved = alice.locator('#share-status');
    await saved.filter({ hasText: 'Saved' }).waitFor();
    const [savedColour, errorColour] = await alice.evaluate(() => {
      const probe = document.createElement('span');
      probe.className = 'small-text error';
      document.body.appendChild(probe);
      return [getComputedStyle(document.getElementById('share-status')!).color, getComputedStyle(probe).color];
    });
    expect(savedColour).not.toBe(errorColour);
    await shoot(alice, 'partner-player');
  });

  it('When alice opens "What we can see", then counts are pluralised and the app is named as the platform names it', async () => {
    await alice.goto(`${demo.tunewave.url}/seen`);
    const text = (await alice.locator('main').textContent())!;
    expect(text).not.toMatch(/\b1 (threads|messages)\b/);
    expect(text).toMatch(/\b\d+ threads?, read through/);
    await shoot(alice, 'partner-seen');
    await alice.goto(`${demo.tunewave.url}/seen/threads/t_alice_bob`);
    await alice.locator('.tag', { hasText: 'via Tunewave' }).first().waitFor();
    expect(await alice.locator('.tag', { hasText: /via tunewave/ }).count()).toBe(0);
    await shoot(alice, 'partner-thread');
    await alice.goto(`${demo.tunewave.url}/seen/threads/g_weekend`);
    await alice.locator('#participants').waitFor();
    await alice.goto(`${demo.tunewave.url}/kept`);
    await shoot(alice, 'partner-kept');
  });

  it('When erin opens the thread Tunewave read once, then the notice says "read" without a count', async () => {
    const erin = await pageFor('erin');
    await erin.goto(`${demo.gh.url}/threads/g_weekend`);
    const notices = await erin.locator('#thread-notices .notice').allTextContents();
    expect(notices).toContainEqual(
      expect.stringMatching(/^Tunewave, authorized by Alice Moreau, read this conversation (just now|1 minute ago)\.$/),
    );
    expect(notices.join(' ')).not.toMatch(/read this conversation[^.]*times/);
    await shoot(erin, 'thread-notices');
    // Not an admin: no Monitor in the navigation, and the unlock page links to the admin login.
    expect(await erin.locator('header nav a', { hasText: 'Monitor' }).count()).toBe(0);
    await erin.goto(`${demo.gh.url}/monitor`);
    const link = erin.locator('a#admin-login');
    expect(await link.getAttribute('href')).toBe('/login?returnTo=%2Fmonitor');
    await shoot(erin, 'monitor-unlock');
  });

  it('When the admin opens the monitor, exposure, apps and docs, then each fits: toolbar on one line, Shut down visible, arrows named after threads', async () => {
    await alice.goto(`${demo.gh.url}/monitor`);
    await alice.locator('header nav a', { hasText: 'Monitor' }).waitFor();
    await alice.locator('.seq-row', { hasText: '“Weekend plans”' }).first().waitFor();
    // One line: every tool shares a horizontal band with every other.
    const boxes = await alice
      .locator('.monitor-tools li')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })));
    expect(Math.max(...boxes.map((b) => b.top))).toBeLessThan(Math.min(...boxes.map((b) => b.bottom)));
    const labels = await alice.locator('.seq-label').allTextContents();
    expect(labels.join('\n')).not.toContain('{threadId}');
    await shoot(alice, 'monitor');

    await alice.goto(`${demo.gh.url}/monitor/exposure`);
    const box = await alice.locator('button[data-shutdown="tunewave"]').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(VIEWPORT.width);
    await shoot(alice, 'exposure');

    await alice.goto(`${demo.gh.url}/settings/apps`);
    await shoot(alice, 'apps');
    await alice.goto(`${demo.gh.url}/docs`);
    await alice.locator('.opblock-summary-path').first().waitFor({ timeout: 10_000 });
    await shoot(alice, 'docs');
  });

  it('When the log is replayed, then no label breaks inside a word', async () => {
    await alice.goto(`${demo.gh.url}/monitor`);
    await alice.locator('.seq-row').first().waitFor();
    const log = await (
      await fetch(`${demo.gh.url}/monitor/log.json`, {
        headers: { Authorization: `Bearer ${demo.gh.config.ADMIN_TOKEN}` },
      })
    ).text();
    await alice
      .locator('#import')
      .setInputFiles({ name: 'log.json', mimeType: 'application/json', buffer: Buffer.from(log) });
    await alice.locator('#monitor-status', { hasText: 'Replayed' }).waitFor({ timeout: 30_000 });
    const broken = await alice
      .locator('.seq-label')
      .evaluateAll((els) =>
        els
          .filter((el) => getComputedStyle(el).overflowWrap !== 'normal' || el.scrollWidth > el.clientWidth + 1)
          .map((el) => el.textContent),
      );
    expect(broken).toEqual([]);
    await shoot(alice, 'monitor-replay');
  });

  it("When least-privilege refuses to delete Bob's reply, then the page offers the way back to the conversation", async () => {
    await glasshouseAdmin(demo.gh).setPolicy('least-privilege');
    try {
      await demo.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'Bob replies after the play' });
      await alice.goto(`${demo.tunewave.url}/seen/threads/t_alice_bob`);
      await alice
        .locator('#messages li', { hasText: 'Bob replies after the play' })
        .locator('button', { hasText: 'Delete' })
        .click();
      await alice.locator('[data-failure="forbidden_by_policy"]').waitFor();
      await shoot(alice, 'partner-refused-delete');
      await Promise.all([
        alice.waitForURL(`${demo.tunewave.url}/seen/threads/t_alice_bob`),
        alice.locator('#go-back').click(),
      ]);
      await alice.locator('#messages li', { hasText: 'Bob replies after the play' }).waitFor();
    } finally {
      await glasshouseAdmin(demo.gh).setPolicy('broad');
    }
  });

  it('When Tunewave is shut down, then a fresh visitor of its landing page is told so', async () => {
    await glasshouseAdmin(demo.gh).setClientStatus('tunewave', 'shut_down');
    try {
      const visitor = await pageFor();
      await visitor.goto(demo.tunewave.url);
      await visitor.locator('.notice-shut_down', { hasText: 'This integration has been shut down' }).waitFor();
      expect(await visitor.locator('#login-with-glasshouse').count()).toBe(0);
      await shoot(visitor, 'partner-landing-shut-down');
    } finally {
      await glasshouseAdmin(demo.gh).setClientStatus('tunewave', 'active');
    }
  });
});
