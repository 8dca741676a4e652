import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { loginInBrowser } from '../helpers/browser.js';
import type { RunningDemo } from './helpers/demo.js';
import { useDemoAndBrowser } from './helpers/demo-in-browser.js';

const ARTIFACTS = path.resolve('test-artifacts', 'walkthrough');

/** A 1,280 × 800 screenshot for the walkthrough, after checking the page is no wider than the window. */
async function shoot(page: Page, name: string): Promise<void> {
  const { doc, win } = await page.evaluate(() => ({
    doc: document.documentElement.scrollWidth,
    win: window.innerWidth,
  }));
  expect({ page: name, width: doc }).toEqual({ page: name, width: Math.min(doc, win) });
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Alice, in her own browser context: "Log in with Glasshouse" on Tunewave (the platform login only once). */
async function logIntoTunewave(page: Page, demo: RunningDemo): Promise<void> {
  await page.goto(demo.tunewave.url);
  await page.locator('#login-with-glasshouse').click();
  await page.waitForURL((u) => u.origin === demo.gh.url);
  if (new URL(page.url()).pathname.startsWith('/login')) await loginInBrowser(page, demo.gh.url, 'alice');
  await Promise.all([page.waitForURL(`${demo.tunewave.url}/`), page.locator('button[data-consent="approve"]').click()]);
}

/** Tunewave reads "Weekend plans" for alice: 5 messages by 4 people (alice, bob, carol, erin). */
async function readWeekendPlans(page: Page, demo: RunningDemo): Promise<void> {
  await page.goto(`${demo.tunewave.url}/seen/threads/g_weekend`);
  await page.locator('#messages li').first().waitFor();
}

/**
 * What partners keep after you revoke (README, "Retained copies and deletion requests"): Tunewave
 * keeps a copy of what it read; Glasshouse tells the person from its own access log, sends a
 * deletion request Tunewave honours — and, in sneaky mode, answers and ignores, which the monitor shows.
 */
describe('retained copies and data-deletion requests, in a real browser', () => {
  const env = useDemoAndBrowser();
  let demo: RunningDemo;
  let page: Page;
  beforeAll(async () => {
    demo = env.demo;
    page = await (await env.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await logIntoTunewave(page, demo);
  });

  it('When Tunewave read a thread and alice revokes it, then Tunewave still shows the copy and Glasshouse says it may still have it', async () => {
    await readWeekendPlans(page, demo);
    await page.goto(`${demo.tunewave.url}/kept`);
    expect(await page.locator('#kept-summary').textContent()).toMatch(/5 messages\s+from 4 people/);

    await page.goto(`${demo.gh.url}/settings/apps`);
    expect(await page.locator('[data-app="tunewave"] .retained-text').textContent()).toBe(
      'Tunewave read 5 messages from 4 people so far; it may still have them.',
    );
    await page.locator('button[data-revoke="tunewave"]').click();
    await page.locator('[data-removed="tunewave"]').waitFor();
    expect(await page.locator('[data-removed="tunewave"] .retained-text').textContent()).toBe(
      'Tunewave read 5 messages from 4 people before you removed it; it may still have them.',
    );

    await page.goto(`${demo.gh.url}/monitor/exposure`);
    expect(await page.locator('[data-retained="tunewave"]').textContent()).toContain(
      'Tunewave read 5 messages from 4 people so far; it may still have them.',
    );
  });

  it('When alice asks for deletion, then Tunewave deletes its copy and the monitor shows request and answer', async () => {
    await page.goto(`${demo.gh.url}/settings/apps`);
    await page.locator('[data-removed="tunewave"] button[data-deletion-request="tunewave"]').click();
    await page
      .locator('[data-removed="tunewave"] .deletion-outcome[data-outcome="deleted"]', {
        hasText: 'Tunewave says it deleted 5 messages. Glasshouse cannot check this.',
      })
      .waitFor();
    await shoot(page, 'apps-deletion-requested');

    await page.goto(`${demo.gh.url}/monitor`);
    await page.locator('.seq-row.kind-retention', { hasText: 'data-deletion request · Alice Moreau' }).waitFor();
    await page.locator('.seq-row.kind-retention', { hasText: 'deleted 5 messages' }).waitFor();
    expect(await page.locator('.seq-row.kind-retention', { hasText: 'sneaky' }).count()).toBe(0);

    // Back on Tunewave (a new consent): nothing of the old copy is left.
    await logIntoTunewave(page, demo);
    await page.goto(`${demo.tunewave.url}/kept`);
    expect(await page.locator('#kept-summary').textContent()).toMatch(/0 messages\s+from 0 people/);
  });

  it('When Tunewave is sneaky, then it answers "deleted", keeps the copy, and the monitor says so', async () => {
    await readWeekendPlans(page, demo);
    await page.goto(`${demo.tunewave.url}/kept`);
    await Promise.all([page.waitForURL(`${demo.tunewave.url}/kept`), page.locator('#sneaky-toggle').click()]);
    await page.locator('.sneaky[data-sneaky="true"]').waitFor();

    await page.goto(`${demo.gh.url}/settings/apps`);
    await page.locator('[data-app="tunewave"] button[data-deletion-request="tunewave"]').click();
    await page
      .locator('[data-app="tunewave"] .deletion-outcome', { hasText: 'Tunewave says it deleted 5 messages.' })
      .waitFor();

    await page.goto(`${demo.gh.url}/monitor`);
    await page
      .locator('.seq-row.kind-retention', { hasText: '“deleted 5 messages” · sneaky: still keeps 5' })
      .waitFor();
    await shoot(page, 'monitor-sneaky');
    await page.goto(`${demo.gh.url}/monitor/exposure`);
    expect(await page.locator('[data-retained="tunewave"] .sneaky-note').textContent()).toContain(
      '1 answered “deleted” and kept the copies',
    );
    await page.goto(`${demo.tunewave.url}/kept`);
    expect(await page.locator('#kept-summary').textContent()).toMatch(/5 messages\s+from 4 people/);
  });
});
