import { describe, expect, it } from '@jest/globals';
import { usePlatformAndBrowser } from '../helpers/browser.js';

describe('the API docs in a real browser', () => {
  const env = usePlatformAndBrowser();

  it('When /docs is opened offline, then every endpoint is rendered, with no outside request and no CSP error', async () => {
    const page = await env.browser.newPage();
    const outside: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === env.gh.url) return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${env.gh.url}/docs`);
    await page.getByText('/threads/{threadId}/messages').first().waitFor({ timeout: 10_000 });
    const rendered = await page.locator('.opblock-summary-path').allTextContents();
    expect(rendered.map((p) => p.replace(/\u200b/g, '')).sort()).toEqual(
      [
        '/me',
        '/me/friends',
        '/me/messages',
        '/messages/{messageId}',
        '/threads',
        '/threads/{threadId}/messages',
        '/threads/{threadId}/messages',
        '/threads/{threadId}/participants',
      ].sort(),
    );
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
