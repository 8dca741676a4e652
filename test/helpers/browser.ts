import { afterAll, beforeAll } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startPlatform, type RunningPlatform } from './platform.js';

/** Debian's chromium, headless, with the flags this closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Logs a page into the platform through the real login (the demo-mode person button posts the
 * username and password to POST /login). `loginPageUrl` may carry a returnTo.
 */
export async function loginInBrowser(
  page: Page,
  platformUrl: string,
  username: string,
  loginPageUrl = `${platformUrl}/login`,
): Promise<void> {
  if (!page.url().includes('/login')) await page.goto(loginPageUrl);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator(`button[data-login="${username}"]`).click(),
  ]);
}

/**
 * A platform and a Chromium for the test file (or `describe`) it is called in: both started together
 * in `beforeAll`, closed in `afterAll`. The fields are filled by `beforeAll`: read them inside hooks
 * and tests only. Arguments as `startPlatform`.
 */
export function usePlatformAndBrowser(...args: Parameters<typeof startPlatform>): {
  gh: RunningPlatform;
  browser: Browser;
} {
  const held = {} as { gh: RunningPlatform; browser: Browser };
  beforeAll(async () => {
    [held.gh, held.browser] = await Promise.all([startPlatform(...args), launchBrowser()]);
  });
  afterAll(async () => {
    await held.browser?.close();
    await held.gh?.close();
  });
  return held;
}
