import { describe, expect, it } from '@jest/globals';
import { until, usePlatform } from '../helpers/platform.js';
import request from 'supertest';
import {
  cookieSocket,
  csrfFrom,
  loggedInAgent,
  loginCookie,
  sessionCount,
  sessionsAfter,
} from '../helpers/web-session.js';

describe('platform web sessions in memory: a bound', () => {
  const gh = usePlatform({ SESSIONS_MAX: '3' });

  it('When five people log in (SESSIONS_MAX=3), then three sessions are kept, the least recently used are dropped and their sockets told and closed', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const socket = await cookieSocket(gh.url, await loginCookie(gh.url, 'frank'));
    const heard: string[] = [];
    socket.on('session:ended', (p: { reason: string }) => heard.push(p.reason));
    const bob = await loggedInAgent(gh.url, 'bob');
    await alice.get('/').expect(200); // alice's session is now more recent than frank's and bob's
    const carol = await loggedInAgent(gh.url, 'carol'); // frank's session is dropped
    await until(() => socket.disconnected, 3000, "frank's socket to close");
    expect(heard).toEqual(['dropped']);
    await loggedInAgent(gh.url, 'dave'); // bob's session is dropped
    expect(await sessionCount(gh.platform.sessions)).toBe(3);
    await bob.get('/').expect(303); // dropped: back to the login page
    await alice.get('/').expect(200);
    await carol.get('/').expect(200);
  });

  it('When visitors who never log in open the login page again and again, then nobody logged in loses a session, nor an unlocked monitor', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const educator = request.agent(gh.url); // not logged in: the monitor unlocked with the admin token
    const unlock = await educator.get('/monitor/unlock').expect(200);
    await educator
      .post('/monitor/unlock')
      .type('form')
      .send({ token: gh.config.ADMIN_TOKEN, _csrf: csrfFrom(unlock.text) })
      .expect(303);
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${gh.url}/login?returnTo=/threads`, { redirect: 'manual' });
      expect(res.headers.get('set-cookie')).toMatch(/(^|, )glasshouse\.sid=/);
    }
    await alice.get('/').expect(200);
    await educator.get('/monitor').expect(200);
    expect(await sessionCount(gh.platform.sessions)).toBeLessThanOrEqual(3 + 3);
  });
});

describe('platform web sessions in memory: expiry', () => {
  const gh = usePlatform({ SESSION_MAX_AGE_SECONDS: '1' });

  it('When sessions expire and nobody asks for them again, then they are dropped anyway', async () => {
    for (const name of ['alice', 'bob']) await loggedInAgent(gh.url, name);
    // express-session's own MemoryStore dropped an expired session only when its cookie came back.
    expect(await sessionsAfter(gh.platform.sessions, 4000)).toBe(0);
  });
});

describe('platform web sessions in memory: a busy session', () => {
  const gh = usePlatform({ SESSION_MAX_AGE_SECONDS: '2' });

  it('When a person keeps using the platform past the lifetime, then the session and the browser cookie move on with each request', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    for (let i = 0; i < 10; i++) {
      const page = await alice.get('/').expect(200); // 3 s in all, past the 2 s lifetime (cookie dates have whole seconds)
      expect(String(page.headers['set-cookie'])).toMatch(/glasshouse\.sid=/);
      await new Promise((r) => setTimeout(r, 300));
    }
  });
});
