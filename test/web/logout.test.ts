import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Agent } from 'supertest';
import request from 'supertest';
import { PLATFORM_SESSION_COOKIE } from '../../server/src/web/session.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';
import { logInWithGlasshouse, startDemo, type RunningDemo } from '../partners/helpers/demo.js';
import { csrfOf } from '../partners/helpers/partner.js';

/** The `Set-Cookie` that expires `name`, if the response has one. */
const expiring = (setCookie: string[] | string | undefined, name: string) =>
  ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${name}=;`) && /Expires=Thu, 01 Jan 1970/.test(c));

describe('logout is idempotent on all three apps', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  /** Two tabs of one browser: the form of each was rendered while logged in; both press Log out. */
  async function logoutTwice(agent: Agent, csrf: string, cookieName: string, loginPage: string) {
    for (const tab of ['first tab', 'stale tab']) {
      const res = await agent.post('/logout').type('form').send({ _csrf: csrf });
      expect({ tab, status: res.status, location: res.headers['location'] }).toEqual({
        tab,
        status: 303,
        location: loginPage,
      });
      expect(expiring(res.headers['set-cookie'], cookieName)).toBeDefined();
    }
  }

  it('When alice presses Log out on the platform in two tabs, then both redirect to the login page and expire the session cookie', async () => {
    const agent = await loggedInAgent(demo.gh.url, 'alice');
    const csrf = csrfFrom((await agent.get('/').expect(200)).text);
    await logoutTwice(agent, csrf, PLATFORM_SESSION_COOKIE, '/login');
    await agent
      .get('/')
      .expect(303)
      .expect('Location', /\/login/);
  });

  it.each(['tunewave', 'reelbox'] as const)(
    'When alice presses Log out on %s in two tabs, then both redirect to its landing page and expire its cookie',
    async (name) => {
      const partner = demo[name];
      const { agent } = await logInWithGlasshouse(demo.gh, partner, 'alice');
      const csrf = csrfOf((await agent.get('/').expect(200)).text);
      await logoutTwice(agent, csrf, partner.config.cookieName, '/?notice=logged_out');
    },
  );

  it.each(['platform', 'tunewave', 'reelbox'] as const)(
    'When nobody is logged in on the %s and a logout arrives as text/plain or JSON, then it still redirects and expires the cookie',
    async (name) => {
      const app =
        name === 'platform'
          ? { url: demo.gh.url, cookie: PLATFORM_SESSION_COOKIE, landing: '/login' }
          : { url: demo[name].url, cookie: demo[name].config.cookieName, landing: '/?notice=logged_out' };
      for (const [type, body] of [
        ['text/plain', 'bye'],
        ['application/json', '{}'],
      ] as const) {
        const res = await request(app.url).post('/logout').set('Content-Type', type).send(body);
        expect({ type, status: res.status, location: res.headers['location'] }).toEqual({
          type,
          status: 303,
          location: app.landing,
        });
        expect(expiring(res.headers['set-cookie'], app.cookie)).toBeDefined();
      }
    },
  );

  it('When someone else is logged in on the platform, then a stale logout form is still refused (CSRF holds for a live session)', async () => {
    const agent = await loggedInAgent(demo.gh.url, 'bob');
    const res = await agent.post('/logout').type('form').send({ _csrf: 'stale' }).set('Accept', 'application/json');
    expect(res.status).toBe(403);
  });
});
