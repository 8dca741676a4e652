import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { authorizationPath, pkcePair } from '../helpers/oauth-flow.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';

/** A stand-in for the partner's callback: answers 200 and remembers what it was sent. */
async function startCallbackServer(): Promise<{ url: string; hits: URL[]; close(): Promise<void> }> {
  const hits: URL[] = [];
  const server = http.createServer((req, res) => {
    hits.push(new URL(req.url ?? '/', 'http://callback.invalid'));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Tunewave callback</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('Log in with Glasshouse in a real browser (Chromium)', () => {
  let gh: RunningPlatform;
  let partner: Awaited<ReturnType<typeof startCallbackServer>>;
  let browser: Browser;
  beforeAll(async () => {
    partner = await startCallbackServer();
    gh = await startPlatform({}, { tunewaveUrl: partner.url });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gh?.close();
    await partner?.close();
  });

  it('When a person logs in and approves Tunewave in Chromium, then the browser lands on the redirect URI with a code and the state', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const redirectUri = `${partner.url}/auth/callback`;
    const path = authorizationPath({
      clientId: 'tunewave',
      redirectUri,
      scopes: ['profile', 'messages:read', 'threads:participants'],
      state: 'browser-state',
      challenge: pkcePair().challenge,
    });

    await page.goto(gh.url + path);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name="username"]', 'alice');
    await page.fill('input[name="password"]', 'glasshouse');
    await Promise.all([
      page.waitForURL(/\/interaction\//),
      page.click('form[action="/login"] button[type="submit"] >> nth=0'),
    ]);

    await expect(page.textContent('h1')).resolves.toContain('Tunewave wants to connect');
    await expect(page.textContent('body')).resolves.toContain(
      'see everyone in your conversations, including people who never used Tunewave',
    );
    await Promise.all([page.waitForURL(`${redirectUri}?**`), page.click('[data-consent="approve"]')]);

    const landed = new URL(page.url());
    expect(landed.searchParams.get('state')).toBe('browser-state');
    expect(landed.searchParams.get('code')).toBeTruthy();
    expect(partner.hits.map((u) => u.searchParams.get('code'))).toContain(landed.searchParams.get('code'));
    expect(gh.store.get('authorizations', 'p_alice~tunewave')?.scopes).toEqual([
      'profile',
      'messages:read',
      'threads:participants',
    ]);
    await context.close();
  });
});
