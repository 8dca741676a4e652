import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loginInBrowser } from '../helpers/browser.js';
import { useDemoAndBrowser } from '../partners/helpers/demo-in-browser.js';

const ARTIFACTS = path.resolve('test-artifacts');

describe('the monitor in a real browser', () => {
  const env = useDemoAndBrowser();

  it('When alice uses Tunewave in one browser, then the monitor in another shows each step in order, bystanders highlighted', async () => {
    const educator = await (await env.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await loginInBrowser(educator, env.demo.gh.url, 'alice'); // alice is an admin person
    await educator.goto(`${env.demo.gh.url}/monitor`);
    await educator.locator('#monitor-status', { hasText: 'Live.' }).waitFor();

    const person = await (await env.browser.newContext()).newPage();
    await person.goto(env.demo.tunewave.url);
    await person.locator('#login-with-glasshouse').click();
    await person.waitForURL((u) => u.pathname.startsWith('/login'));
    await loginInBrowser(person, env.demo.gh.url, 'alice');
    await person.locator('[data-consent="approve"]').click();
    await person.waitForURL((u) => u.origin === env.demo.tunewave.url);
    await person.goto(`${env.demo.tunewave.url}/seen/threads/g_weekend`);
    await person.getByText('Hike on Saturday?').waitFor();

    const rows = educator.locator('.seq-row');
    const bystanderRow = educator.locator('.seq-row.has-bystanders', { hasText: 'read · “Weekend plans”' });
    await bystanderRow.first().waitFor({ timeout: 10_000 });
    const labels = await rows.locator('.seq-label').allTextContents();
    const at = (prefix: string) => labels.findIndex((l) => l.startsWith(prefix));
    expect(at('authorize')).toBeGreaterThanOrEqual(0);
    expect(at('authorize')).toBeLessThan(at('consent'));
    expect(at('consent')).toBeLessThan(at('token'));
    expect(at('token')).toBeLessThan(labels.findIndex((l) => l.includes('“Weekend plans”')));
    // The arrow names the thread; the route template is in the details only.
    expect(labels.some((l) => l.includes('{threadId}'))).toBe(false);
    const chip = await bystanderRow.first().locator('.bystander-chip').textContent();
    for (const name of ['Bob Okafor', 'Carol Lindqvist', 'Erin Castillo']) expect(chip).toContain(name);
    expect(chip).not.toContain('Alice Moreau'); // she authorized Tunewave

    await bystanderRow.first().click();
    const details = bystanderRow.first().locator('.seq-details');
    await expect(details.locator('.person.bystander').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['Erin Castillo — bystander', 'Carol Lindqvist — bystander']),
    );
    await expect(details.textContent()).resolves.toContain('messages:read');
    await expect(details.textContent()).resolves.toContain('GET /api/v1/threads/{threadId}/messages');

    // An admin action adds an "Admin" column: the view redraws once, with every event exactly once.
    await fetch(`${env.demo.gh.url}/admin/policy`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${env.demo.gh.config.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: '{"mode":"broad"}',
    });
    await fetch(`${env.demo.gh.url}/admin/policy`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${env.demo.gh.config.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: '{"mode":"least-privilege"}',
    });
    await educator.locator('.seq-row', { hasText: 'policy → least-privilege' }).waitFor();
    const seqs = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-seq')));
    expect(new Set(seqs).size).toBe(seqs.length);
    await expect(educator.locator('.seq-header div').allTextContents()).resolves.toContain('Admin');

    await mkdir(ARTIFACTS, { recursive: true });
    await educator.screenshot({ path: path.join(ARTIFACTS, 'monitor.png'), fullPage: true });
  });
});
