import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { browseToRedirect } from '../helpers/oauth-flow.js';
import { loggedInAgent } from '../helpers/web-session.js';
import { logInWithGlasshouse, useDemo } from './helpers/demo.js';
import { openFeed, sessionCookie, type EventStream } from './helpers/event-stream.js';
import { csrfOf } from './helpers/partner.js';

/**
 * A partner page's live feed is never more than its session (README "Socket security model"): when
 * another person logs into the partner over the same browser session, the old person's open
 * streams end, so a stale tab does not keep showing the previous person's messages.
 */
describe('partner live feed and a change of person', () => {
  const demo = useDemo();
  let feed: EventStream | undefined;
  afterEach(() => feed?.close());

  it("When carol logs into Tunewave over the browser session alice's open tab uses, then that tab's feed ends and gets none of alice's messages", async () => {
    const { agent, callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    feed = await openFeed(demo.tunewave.url, sessionCookie(callback.headers['set-cookie'], 'tunewave.sid'));
    await feed.next('status');
    expect(await feed.next('status')).toEqual({ live: true });
    // Another tab of the same browser: "Log in with Glasshouse" again, as carol.
    const start = await agent.get('/auth/login').expect(302);
    const authorize = new URL(start.headers['location']!);
    const { redirect } = await browseToRedirect({
      url: demo.gh.url,
      agent: await loggedInAgent(demo.gh.url, 'carol'),
      path: authorize.pathname + authorize.search,
      redirectUri: `${demo.tunewave.url}/auth/callback`,
      decision: 'approve',
    });
    await agent.get(redirect.pathname + redirect.search).expect(303);
    expect(await feed.next('ended')).toMatchObject({ reason: 'session_changed' });
  });
});

describe('partner live feed and a logout in another tab', () => {
  const demo = useDemo();

  it("When alice logs out of Tunewave in one tab, then her other tab's feed is told (ended, logged_out) and leaves for the landing page", async () => {
    const { agent, callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    const feed = await openFeed(demo.tunewave.url, sessionCookie(callback.headers['set-cookie'], 'tunewave.sid'));
    try {
      await feed.next('status');
      const home = await agent.get('/').expect(200);
      await agent
        .post('/logout')
        .type('form')
        .send({ _csrf: csrfOf(home.text) })
        .expect(303);
      expect(await feed.next('ended')).toEqual({ reason: 'logged_out', redirect: '/' });
    } finally {
      feed.close();
    }
  });
});

describe('partner live feed and session expiry', () => {
  const demo = useDemo({ sessionMaxAgeMs: 1500 });
  let feed: EventStream | undefined;
  afterAll(() => feed?.close());

  it("When alice's Tunewave session expires while its tab is open, then that tab's feed ends with session_expired", async () => {
    const { callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    feed = await openFeed(demo.tunewave.url, sessionCookie(callback.headers['set-cookie'], 'tunewave.sid'));
    await feed.next('status');
    expect(await feed.next('ended', 5000)).toEqual({ reason: 'session_expired', redirect: '/' });
  });
});

describe('partner live feed of a busy session', () => {
  const demo = useDemo({ sessionMaxAgeMs: 2000 });
  let feed: EventStream | undefined;
  afterAll(() => feed?.close());

  it("When alice keeps using Tunewave past the session's lifetime, then her tab's feed stays open, and her browser keeps a renewed cookie", async () => {
    const { agent, callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    feed = await openFeed(demo.tunewave.url, sessionCookie(callback.headers['set-cookie'], 'tunewave.sid'));
    await feed.next('status');
    const ended: unknown[] = [];
    void feed.next('ended', 10_000).then(
      (e) => ended.push(e),
      () => undefined,
    );
    // A request every 0.3 s for 3 s (past the 2 s lifetime; cookie dates have whole seconds): the session moves on with each.
    for (let i = 0; i < 10; i++) {
      const page = await agent.get('/').expect(200);
      expect(page.text).toContain('Alice');
      // The cookie is sent again with each answer (rolling): the browser's copy expires with the session.
      expect(String(page.headers['set-cookie'])).toMatch(/tunewave\.sid=/);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(ended).toEqual([]);
  });
});
