import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { loggedInAgent } from '../helpers/web-session.js';
import { logInWithGlasshouse, startDemo, type RunningDemo } from './helpers/demo.js';

/** The partners' login against the platform's real authorization server (oidc-provider). */
describe('partner login with the real authorization server', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo.close();
  });

  it.each(['tunewave', 'reelbox'] as const)('When a person starts the %s login, then Glasshouse accepts the request and shows its consent page', async (name) => {
    const partner = supertest.agent(demo[name].url);
    const start = await partner.get('/auth/login').expect(302);
    const authorize = new URL(start.headers['location']!);
    expect(authorize.origin).toBe(demo.gh.url);
    const platform = await loggedInAgent(demo.gh.url, 'dave');
    let res = await platform.get(authorize.pathname + authorize.search);
    for (let hop = 0; hop < 5 && res.status >= 300 && res.status < 400; hop += 1) {
      const next = new URL(res.headers['location']!, demo.gh.url);
      res = await platform.get(next.pathname + next.search);
    }
    expect(res.status).toBe(200);
    expect(res.text).toContain('wants to connect to your Glasshouse account');
    for (const scope of ['messages:read', 'messages:delete', 'threads:participants']) expect(res.text).toContain(`data-scope="${scope}"`);
  });

  it('When the person denies on the Glasshouse consent page, then Reelbox shows the consent-denied page', async () => {
    const { callback } = await logInWithGlasshouse(demo.gh, demo.reelbox, 'carol', 'deny');
    expect(callback.status).toBe(403);
    expect(callback.text).toContain('You did not allow Reelbox');
  });
});
