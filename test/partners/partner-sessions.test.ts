import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { sessionCount, sessionsAfter } from '../helpers/web-session.js';
import { logInWithGlasshouse, useDemo } from './helpers/demo.js';
import { openFeed, sessionCookie } from './helpers/event-stream.js';

describe('partner web sessions in memory', () => {
  const demo = useDemo({ sessionMaxAgeMs: 1000, maxSessions: 5 });

  it('When visitors without a cookie start twenty logins on Tunewave, then at most 5 sessions are kept, and none once they expired', async () => {
    for (let i = 0; i < 20; i++)
      await request(demo.tunewave.url)
        .get('/auth/login')
        .expect(302)
        .expect('Set-Cookie', /^tunewave\.sid=/);
    expect(await sessionCount(demo.tunewave.partner.sessions)).toBeLessThanOrEqual(5);
    // Nobody comes back for them: they are pruned anyway once expired (1 s here).
    expect(await sessionsAfter(demo.tunewave.partner.sessions, 4000)).toBe(0);
  });
});

describe('partner web sessions in memory: a full store', () => {
  const demo = useDemo({ maxSessions: 2 });

  it("When visitors who never finish a login fill the store, then alice's session and open live feed stay", async () => {
    const { callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    const cookie = sessionCookie(callback.headers['set-cookie'], 'tunewave.sid');
    const feed = await openFeed(demo.tunewave.url, cookie);
    try {
      await feed.next('status');
      for (let i = 0; i < 6; i++) await request(demo.tunewave.url).get('/auth/login').expect(302);
      await request(demo.tunewave.url).get('/kept').set('Cookie', cookie).expect(200); // still logged in
      await expect(feed.next('ended', 500)).rejects.toThrow(/no "ended" event/);
    } finally {
      feed.close();
    }
  });

  it("When newer people who logged in push alice's session out of a full store, then her open live feed is told it ended", async () => {
    const { callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    const feed = await openFeed(demo.tunewave.url, sessionCookie(callback.headers['set-cookie'], 'tunewave.sid'));
    try {
      await feed.next('status');
      for (const name of ['bob', 'carol']) await logInWithGlasshouse(demo.gh, demo.tunewave, name);
      expect(await feed.next('ended')).toEqual({ reason: 'session_expired', redirect: '/' });
    } finally {
      feed.close();
    }
  });
});
