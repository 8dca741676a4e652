import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { loginInBrowser } from '../helpers/browser.js';
import type { RunningDemo } from './helpers/demo.js';
import { useDemoAndBrowser } from './helpers/demo-in-browser.js';

/** Texts of the messages in alice and bob's 1:1 thread, read from the platform's store. */
function aliceBobTexts(demo: RunningDemo): string[] {
  return demo.gh.store.messageIdsIn('t_alice_bob').map((id) => demo.gh.store.get('messages', id)?.text ?? '');
}

/**
 * The first screen as the start banner tells it ("tick bob, press play"): a tick takes effect at
 * once, without a Save button, and the player never says "Not shared with anyone" while a friend is
 * ticked.
 */
describe('the partner player, first screen', () => {
  const env = useDemoAndBrowser();
  let alice: Page;
  beforeAll(async () => {
    const { demo, browser } = env;
    alice = await (await browser.newContext()).newPage();
    await alice.goto(demo.tunewave.url);
    await alice.locator('#login-with-glasshouse').click();
    await loginInBrowser(alice, demo.gh.url, 'alice');
    await Promise.all([
      alice.waitForURL(`${demo.tunewave.url}/`),
      alice.locator('button[data-consent="approve"]').click(),
    ]);
  });

  it('When alice ticks bob and presses play at once (no Save), then bob gets "now playing" and the player says so', async () => {
    const before = aliceBobTexts(env.demo).length;
    await alice.locator('input[data-username="bob"]').check();
    // Straight away, without waiting for the save: the play waits for it.
    await alice.locator('.item').first().locator('.play-item').click();
    await alice.locator('#np-status', { hasText: 'Sent “now playing” to Bob Okafor.' }).waitFor();
    expect(await alice.locator('#np-status').textContent()).not.toContain('Not shared');
    expect(await alice.locator('#share-save').isVisible()).toBe(false);
    expect(await alice.locator('#share-status').textContent()).toBe('Saved: each play is sent to Bob Okafor.');
    const texts = aliceBobTexts(env.demo);
    expect(texts).toHaveLength(before + 1);
    expect(texts.at(-1)).toContain('Gymnopédie No. 1');
  });

  it('When alice reloads, then bob is still ticked; when she unticks him and plays, then the player says how to share', async () => {
    await alice.reload();
    const bob = alice.locator('input[data-username="bob"]');
    expect(await bob.isChecked()).toBe(true);
    await bob.uncheck();
    await alice.locator('#btn-next').click();
    await alice.locator('#np-status', { hasText: 'Not shared with anyone: tick a friend' }).waitFor();
    expect(await alice.locator('#share-status').textContent()).toBe('Saved: plays are not shared.');
  });
});
