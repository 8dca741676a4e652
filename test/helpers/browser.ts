import { chromium, type Browser, type Page } from 'playwright-core';

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
