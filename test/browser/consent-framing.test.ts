import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, loginInBrowser } from '../helpers/browser.js';
import { authorizationPath, pkcePair } from '../helpers/oauth-flow.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { listenOnEphemeralPort } from '../../server/src/http/startup.js';

const PARTNER_URL = 'http://127.0.0.1:9';

/**
 * Clickjacking (RFC 9700 §4.16): another origin frames the consent page of a logged-in person and
 * overlays its own button. The browser must refuse to render the platform inside the frame.
 */
describe('The login and consent pages under a cross-origin frame, in Chromium', () => {
  let gh: RunningPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let attacker: http.Server;
  let attackerUrl: string;

  beforeAll(async () => {
    [gh, browser] = await Promise.all([startPlatform({}, { tunewaveUrl: PARTNER_URL }), launchBrowser()]);
    // Another origin (port) on the same site: the person's SameSite=Lax cookies go along, as in real clickjacking.
    ({ server: attacker, url: attackerUrl } = await listenOnEphemeralPort());
    attacker.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const target = new URL(req.url ?? '/', attackerUrl).searchParams.get('src') ?? '/own';
      res.setHeader('Content-Type', 'text/html');
      res.end(
        req.url?.startsWith('/own')
          ? '<p id="own">framed page of the same origin</p>'
          : `<h1>Win a prize</h1><iframe id="victim" src="${target}" width="800" height="600"></iframe>`,
      );
    });
    context = await browser.newContext();
    const page = await context.newPage();
    await loginInBrowser(page, gh.url, 'alice');
    await page.close();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await gh?.close();
  });

  /** Opens the attacker's page framing `src`; resolves to what the frame shows. */
  async function framed(src: string): Promise<{ url: string; text: string }> {
    const page = await context.newPage();
    await page.goto(`${attackerUrl}/?src=${encodeURIComponent(src)}`);
    const handle = await page.locator('#victim').elementHandle();
    const frame = await handle!.contentFrame();
    await frame!.waitForLoadState('load');
    const result = {
      url: frame!.url(),
      text: await frame!.evaluate(() => document.body?.innerText ?? '').catch(() => ''),
    };
    await page.close();
    return result;
  }

  it('When a page of the same origin is framed, then it shows (the harness can see a framed page)', async () => {
    expect((await framed(`${attackerUrl}/own`)).text).toContain('framed page of the same origin');
  });

  it('When another origin frames the consent page of a logged-in person, then Chromium shows nothing of it', async () => {
    const path = authorizationPath({
      clientId: 'tunewave',
      redirectUri: `${PARTNER_URL}/auth/callback`,
      scopes: ['profile', 'messages:read'],
      challenge: pkcePair().challenge,
    });
    // Top level, the same browser does reach the consent page: only the frame is refused.
    const top = await context.newPage();
    await top.goto(`${gh.url}${path}`);
    await top.locator('[data-consent="approve"]').waitFor();
    await top.close();

    const shown = await framed(`${gh.url}${path}`);
    expect(shown.text).not.toContain('Allow');
    expect(shown.url).not.toContain('/interaction/');
  });

  it('When another origin frames the login page, then Chromium shows nothing of it', async () => {
    const shown = await framed(`${gh.url}/login`);
    expect(shown.text).not.toContain('Log in to Glasshouse');
  });
});
