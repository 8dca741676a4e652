import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loginInBrowser } from '../helpers/browser.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';

/** In the page: opens a socket to `url` and resolves 'connected' or the connect_error message. */
const tryConnect = (page: Page, url: string) =>
  page.evaluate(
    (target) =>
      new Promise<string>((resolve) => {
        const s = (
          window as unknown as { io: (u: string, o: object) => { once: (e: string, f: (x?: Error) => void) => void } }
        ).io(target, { transports: ['websocket'], reconnection: false });
        s.once('connect', () => resolve('connected'));
        s.once('connect_error', (err) => resolve(err?.message ?? 'error'));
      }),
    url,
  );

describe('cookie-authenticated sockets in a real browser', () => {
  let gh: RunningPlatform;
  let browser: Browser;
  let other: http.Server;
  let otherUrl: string;

  beforeAll(async () => {
    [gh, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    // The other page serves its own copy of the socket.io client (the platform's is same-origin only).
    const ioClient = await (await fetch(`${gh.url}/socket.io/socket.io.min.js`)).text();
    // A page on another port of the same host: the same *site*, so the platform's cookies go along.
    other = http.createServer((req, res) => {
      if (req.url === '/io.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(ioClient);
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>elsewhere</title><script src="/io.js"></script>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => other?.close(resolve));
    await gh?.close();
  });

  it("When alice is logged in and a page on another localhost port opens a socket to the platform, then it is refused while the platform's own page connects", async () => {
    const context = await browser.newContext();
    const own = await context.newPage();
    await loginInBrowser(own, gh.url, 'alice');
    expect(await tryConnect(own, gh.url)).toBe('connected');
    const foreign = await context.newPage();
    await foreign.goto(otherUrl);
    expect(await tryConnect(foreign, gh.url)).toBe('forbidden_origin');
    expect(await tryConnect(foreign, `${gh.url}/monitor`)).toBe('admin token required');
    await context.close();
  });

  it("When alice logs out in one tab, then her other tab's socket is closed within 1 s and the tab says she was logged out", async () => {
    const context = await browser.newContext();
    const tabA = await context.newPage();
    const tabB = await context.newPage();
    await loginInBrowser(tabA, gh.url, 'alice');
    await tabB.goto(`${gh.url}/threads/t_alice_bob`);
    await tabA.goto(`${gh.url}/threads/t_alice_bob`);
    // Tab B is live: a message shows up without reload.
    const before = await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'before logout' });
    await tabB.locator(`[data-message-id="${before.id}"]`).waitFor({ timeout: 5000 });

    await tabA.locator('form[action="/logout"] button').click();
    await tabA.waitForURL((u) => u.pathname === '/login');
    await tabB.locator('#session-ended').waitFor({ state: 'visible', timeout: 1000 });

    // Bob writes, and then carol logs in in tab A: tab B shows neither.
    await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'after logout' });
    await loginInBrowser(tabA, gh.url, 'carol');
    await tabA.goto(`${gh.url}/threads/t_alice_carol`);
    const marker = await gh.platform.social.send('p_alice', 't_alice_carol', { text: 'marker for carol' });
    await tabA.locator(`[data-message-id="${marker.id}"]`).waitFor({ timeout: 5000 });
    expect(await tabB.locator('#messages .text', { hasText: 'after logout' }).count()).toBe(0);
    expect(await tabB.getAttribute('body', 'data-session-ended')).toBe('true');
    await context.close();
  });
});
