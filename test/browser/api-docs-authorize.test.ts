import { describe, expect, it } from '@jest/globals';
import { usePlatformAndBrowser } from '../helpers/browser.js';

describe('"Authorize" and "Try it out" in the API docs, in Chromium', () => {
  const env = usePlatformAndBrowser();

  it('When a person authorizes the docs page (code + PKCE, public client) and tries GET /me, then the API answers 200 with them', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${env.gh.url}/docs`);
    await page.locator('button.authorize').first().click();
    const modal = page.locator('.dialog-ux');
    expect(await modal.locator('.auth-container input').first().inputValue()).toBe('glasshouse-api-docs');
    await modal.getByText('select all').first().click();

    const [popup] = await Promise.all([page.waitForEvent('popup'), modal.locator('button.authorize').first().click()]);
    await popup.locator('button[data-login="alice"]').click();
    // The popup closes itself right after the redirect: listen before the click, or the close is missed.
    const closed = popup.waitForEvent('close');
    await popup.locator('[data-consent="approve"]').click();
    await closed;
    await modal.locator('button', { hasText: 'Logout' }).waitFor();
    await modal.locator('button', { hasText: 'Close' }).first().click();

    const me = page.locator('#operations-default-getMe, [id$="-getMe"]').first();
    await me.locator('.opblock-summary').click();
    await me.locator('button', { hasText: 'Try it out' }).click();
    await me.locator('button', { hasText: 'Execute' }).click();
    const live = me.locator('.live-responses-table');
    await live.locator('.response-col_status', { hasText: '200' }).first().waitFor();
    expect(await live.locator('.response-col_description pre').first().textContent()).toContain('"username": "alice"');
    expect(problems).toEqual([]);
    await context.close();
  });
});
