import { describe, expect, it } from '@jest/globals';
import { loginInBrowser, usePlatformAndBrowser } from '../helpers/browser.js';
import type { Socket as ServerSocket } from 'socket.io';
import { until } from '../helpers/platform.js';
import { cookieSocket, loginCookie } from '../helpers/web-session.js';

describe('a thread page catches up after a reconnect', () => {
  const env = usePlatformAndBrowser();

  const inboxSockets = () => env.gh.platform.io.of('/').sockets.size;

  it("When alice's thread page goes offline, bob posts twice and it comes back online, then each missed message shows exactly once without reload", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await loginInBrowser(page, env.gh.url, 'alice');
    const inbox = await context.newPage();
    // The inbox page's socket frames, shown if the count is wrong (to tell a lost answer from a late one).
    const wire: string[] = [];
    inbox.on('websocket', (ws) => {
      const at = () => `${Date.now() % 100_000}`;
      ws.on('framesent', (f) => wire.push(`${at()} > ${String(f.payload).slice(0, 160)}`));
      ws.on('framereceived', (f) => wire.push(`${at()} < ${String(f.payload).slice(0, 160)}`));
      ws.on('close', () => wire.push(`${at()} closed`));
    });
    await inbox.goto(`${env.gh.url}/`);
    await page.goto(`${env.gh.url}/threads/t_alice_bob`);
    // Alice has read the thread (the thread page marks it): from now on the inbox counts bob's messages.
    await inbox.reload();
    let reloaded = false;
    page.on('load', () => (reloaded = true));
    const warmup = await env.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'warm-up' });
    await page.locator(`[data-message-id="${warmup.id}"]`).waitFor({ timeout: 5000 });

    const connected = inboxSockets();
    expect(connected).toBe(2);
    await context.setOffline(true);
    await until(() => inboxSockets() === 0);
    const missed = [
      await env.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'missed while offline 1' }),
      await env.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'missed while offline 2' }),
    ];
    await context.setOffline(false);
    for (const m of missed) await page.locator(`[data-message-id="${m.id}"]`).waitFor({ timeout: 10000 });
    // A later live message is the marker that nothing else is still on its way.
    const marker = await env.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'marker' });
    await page.locator(`[data-message-id="${marker.id}"]`).waitFor({ timeout: 5000 });
    for (const m of missed) expect(await page.locator(`[data-message-id="${m.id}"]`).count()).toBe(1);
    const order = await page.locator('#messages .text').allTextContents();
    expect(order.slice(-3)).toEqual(['missed while offline 1', 'missed while offline 2', 'marker']);
    expect(reloaded).toBe(false);
    // The inbox page (offline too) counted each of bob's four messages once: warm-up, two missed, marker.
    const item = inbox.locator('[data-thread-id="t_alice_bob"]');
    await item.locator('.preview', { hasText: 'marker' }).waitFor({ timeout: 5000 });
    const count = await item
      .locator('.unread-mark', { hasText: /^4 new$/ })
      .waitFor({ timeout: 5000 })
      .then(() => '4 new')
      .catch(async () => `${await item.locator('.unread-mark').textContent()}\n${wire.join('\n')}`);
    expect(count).toBe('4 new');
    await context.close();
  });

  it('When a recovered connection replays a message sent after the ones it missed, then the catch-up still brings those, in order', async () => {
    // Two browsers of alice: the inbox page in `away`, another page in `back`, which comes back first.
    const away = await env.browser.newContext();
    const back = await env.browser.newContext();
    const inbox = await away.newPage();
    await loginInBrowser(inbox, env.gh.url, 'alice');
    await inbox.goto(`${env.gh.url}/threads/t_alice_carol`);
    await inbox.goto(`${env.gh.url}/`);
    const other = await back.newPage();
    await loginInBrowser(other, env.gh.url, 'alice');
    await until(() => inboxSockets() === 2);
    // A message received live gives the inbox page's connection an offset, so that it is recovered.
    await env.gh.platform.social.send('p_carol', 't_alice_carol', { text: 'before the gap' });
    await inbox.locator('[data-thread-id="t_alice_carol"] .preview', { hasText: 'before the gap' }).waitFor();
    await Promise.all([away.setOffline(true), back.setOffline(true)]);
    await until(() => inboxSockets() === 0);
    // Nobody of alice's is connected: these are not broadcast, only a catch-up can bring them.
    await env.gh.platform.social.send('p_carol', 't_alice_carol', { text: 'while nobody listened' });
    await back.setOffline(false);
    await until(() => inboxSockets() === 1, 10_000, "the other browser's socket");
    // Broadcast to alice's room, so kept for the inbox page's recovery, which replays it before 'connect'.
    await env.gh.platform.social.send('p_carol', 't_alice_carol', { text: 'while one listened' });
    await away.setOffline(false);
    const item = inbox.locator('[data-thread-id="t_alice_carol"]');
    await item.locator('.preview', { hasText: 'while one listened' }).waitFor({ timeout: 10_000 });
    // Counted once each: before the gap, the missed one (from the catch-up) and the replayed one.
    await item.locator('.unread-mark', { hasText: /^3 new$/ }).waitFor({ timeout: 5000 });
    await Promise.all([away.close(), back.close()]);
  });

  it('When the connection drops while a catch-up is unanswered, then its failed answer does not release the held messages, and the next catch-up still brings the missed one', async () => {
    // While `withhold`, the server leaves messages:since unanswered (the answer still on its way).
    let withhold = false;
    let withheld = 0;
    env.gh.platform.io
      .of('/')
      .on('connection', (s: ServerSocket) =>
        s.use(([event], next) => (withhold && event === 'messages:since' ? void withheld++ : next())),
      );
    const away = await env.browser.newContext();
    const inbox = await away.newPage();
    const frames: string[] = [];
    inbox.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
    await loginInBrowser(inbox, env.gh.url, 'alice');
    await inbox.goto(`${env.gh.url}/threads/t_alice_carol`);
    const other = await cookieSocket(env.gh.url, await loginCookie(env.gh.url, 'alice'));
    withhold = true;
    await inbox.goto(`${env.gh.url}/`);
    await until(() => inboxSockets() === 2 && withheld === 1);
    // Received (so the page's connection has an offset to recover from), held behind the catch-up.
    await env.gh.platform.social.send('p_carol', 't_alice_carol', { text: 'before the gap' });
    await until(() => frames.some((f) => f.includes('before the gap')));
    await away.setOffline(true);
    await until(() => inboxSockets() === 1);
    withhold = false;
    other.disconnect();
    await until(() => inboxSockets() === 0);
    await env.gh.platform.social.send('p_carol', 't_alice_carol', { text: 'while nobody listened' });
    other.connect();
    await until(() => inboxSockets() === 1);
    await env.gh.platform.social.send('p_carol', 't_alice_carol', { text: 'while one listened' });
    await away.setOffline(false);
    const item = inbox.locator('[data-thread-id="t_alice_carol"]');
    await item.locator('.preview', { hasText: 'while one listened' }).waitFor({ timeout: 10_000 });
    await item.locator('.unread-mark', { hasText: /^3 new$/ }).waitFor({ timeout: 5000 });
    other.disconnect();
    await away.close();
  });

  it("When alice's thread page is offline longer than connection-state recovery keeps (or the platform restarted) and bob deletes a message it shows, then after reconnecting the page no longer shows it", async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await loginInBrowser(page, env.gh.url, 'alice');
    await page.goto(`${env.gh.url}/threads/t_alice_bob`);
    const doomed = await env.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'soon deleted' });
    await page.locator(`[data-message-id="${doomed.id}"]`).waitFor({ timeout: 5000 });
    await context.setOffline(true);
    await until(() => inboxSockets() === 0);
    // Past socket.io's recovery window (or after a restart): no kept state to replay the deletion from.
    (env.gh.platform.io.of('/').adapter as unknown as { sessions: Map<string, unknown> }).sessions.clear();
    await env.gh.platform.social.deleteOwn('p_bob', doomed.id);
    const after = await env.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'after the gap' });
    await context.setOffline(false);
    // The missed message is the marker that the catch-up was answered.
    await page.locator(`[data-message-id="${after.id}"]`).waitFor({ timeout: 10000 });
    expect(await page.locator(`[data-message-id="${doomed.id}"]`).count()).toBe(0);
    await context.close();
  });
});
