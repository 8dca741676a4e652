import { describe, expect, it } from '@jest/globals';
import { loginInBrowser, usePlatformAndBrowser } from '../helpers/browser.js';

describe('the inbox in a real browser', () => {
  const env = usePlatformAndBrowser();

  it("When alice sends bob a message, then it appears in bob's open thread and inbox without reload", async () => {
    const aliceContext = await env.browser.newContext();
    const bobContext = await env.browser.newContext();
    const alice = await aliceContext.newPage();
    const bobThread = await bobContext.newPage();
    const bobInbox = await bobContext.newPage();
    await loginInBrowser(alice, env.gh.url, 'alice');
    await loginInBrowser(bobThread, env.gh.url, 'bob');
    await bobThread.goto(`${env.gh.url}/threads/t_alice_bob`);
    await bobInbox.goto(`${env.gh.url}/`);
    let reloaded = false;
    bobThread.on('load', () => (reloaded = true));
    await bobThread.waitForFunction(() => (window as unknown as { io?: unknown }).io !== undefined);

    await alice.goto(`${env.gh.url}/threads/t_alice_bob`);
    await alice.locator('.composer input[name=text]').fill('Browser hello, Bob!');
    await alice.locator('.composer button[type=submit]').click();

    await expect(bobThread.locator('#messages .message .text', { hasText: 'Browser hello, Bob!' })).toBeVisibleSoon();
    await expect(
      bobInbox.locator('[data-thread-id="t_alice_bob"] .preview', { hasText: 'Browser hello, Bob!' }),
    ).toBeVisibleSoon();
    expect(reloaded).toBe(false);

    // A message in a thread bob is not in never shows in his inbox.
    await env.gh.platform.social.send('p_carol', 'g_book_club', { text: 'Book club secret' });
    await env.gh.platform.social.send('p_alice', 't_alice_bob', { text: 'after the secret' });
    await expect(bobThread.locator('#messages .text', { hasText: 'after the secret' })).toBeVisibleSoon();
    expect(await bobInbox.content()).not.toContain('Book club secret');

    // Deleting on alice's side removes it live on bob's.
    await alice.reload();
    await alice.locator('.message', { hasText: 'Browser hello, Bob!' }).locator('form.delete button').click();
    await bobThread
      .locator('#messages .text', { hasText: 'Browser hello, Bob!' })
      .waitFor({ state: 'detached', timeout: 5000 });
    await aliceContext.close();
    await bobContext.close();
  });
});

declare module 'expect' {
  interface Matchers<R> {
    toBeVisibleSoon(): Promise<R>;
  }
}
expect.extend({
  async toBeVisibleSoon(locator: import('playwright-core').Locator) {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: 5000 });
      return { pass: true, message: () => 'visible' };
    } catch {
      return { pass: false, message: () => `not visible within 5 s: ${locator.toString()}` };
    }
  },
});
