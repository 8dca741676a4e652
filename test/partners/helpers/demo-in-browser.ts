import { afterAll, beforeAll } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { PartnerAppOptions } from '../../../partners/app/create-partner-app.js';
import { launchBrowser } from '../../helpers/browser.js';
import { startDemo, type RunningDemo } from './demo.js';

/**
 * The demo (`startDemo`) and a Chromium for the test file (or `describe`) it is called in: both
 * started together in `beforeAll`, closed in `afterAll` (the browser first, with every context the
 * file opened in it). The fields are filled by `beforeAll`: read them inside hooks and tests only.
 * @param partnerOptions as `startDemo`.
 */
export function useDemoAndBrowser(partnerOptions: PartnerAppOptions = {}): { demo: RunningDemo; browser: Browser } {
  const held = {} as { demo: RunningDemo; browser: Browser };
  beforeAll(async () => {
    [held.demo, held.browser] = await Promise.all([startDemo(partnerOptions), launchBrowser()]);
  });
  afterAll(async () => {
    await held.browser?.close();
    await held.demo?.close();
  });
  return held;
}
