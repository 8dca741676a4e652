import http from 'node:http';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { attemptSource } from '../../server/src/web/login-throttle.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

const SESSION_COOKIE = 'glasshouse.sid';

/** The agent's session is no one's: the inbox sends it to the login page. */
const expectLoggedOut = (agent: ReturnType<typeof request.agent>) =>
  agent
    .get('/')
    .expect(303)
    .expect('Location', /\/login/);

function sessionCookie(setCookie: string[] | string | undefined): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
}

describe('web login', () => {
  const gh = usePlatform();

  it('When a seeded person logs in with the right password, then the inbox shows their threads', async () => {
    const agent = await loggedInAgent(gh.url, 'alice');
    const inbox = await agent.get('/').expect(200);
    expect(inbox.text).toContain('Weekend plans');
    expect(inbox.text).toContain('Bob Okafor');
    expect(inbox.text).not.toContain('Book club'); // alice is not in it
  });

  it('When the password is wrong, then the login is refused and no session is logged in', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get('/login').expect(200);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: 'nope', _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Wrong username or password');
    await expectLoggedOut(agent);
  });

  it('When a username is typed with spaces around it or in capitals, then it still logs that person in', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get('/login');
    await agent
      .post('/login')
      .type('form')
      .send({ username: '  Alice ', password: 'glasshouse', _csrf: csrfFrom(page.text) })
      .expect(303);
    expect((await agent.get('/').expect(200)).text).toContain('Weekend plans');
  });

  it('When forms that did not come from the login page (no CSRF token) are posted for a person, then they are refused and do not count against that person', async () => {
    for (let i = 0; i < 12; i++)
      await request(gh.url)
        .post('/login')
        .type('form')
        .send({ username: 'frank', password: `guess-${i}` })
        .expect(403);
    await loggedInAgent(gh.url, 'frank');
  });

  it('When the username and password come in the address instead of the form, then the login is refused (400) and counts for nothing', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get('/login');
    const res = await agent
      .post('/login?username=carol&password=glasshouse')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(400);
    await expectLoggedOut(agent);
  });

  it('When the username is given twice, then the login is refused like a wrong password', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send(`username=alice&username=bob&password=glasshouse&_csrf=${encodeURIComponent(csrfFrom(page.text))}`);
    expect(res.status).toBe(401);
  });

  it('When an unknown person logs in, then it is refused like a wrong password', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username: 'mallory', password: 'glasshouse', _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(401);
  });

  it('When a person logs in, then the session id changes (no session fixation)', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get('/login').expect(200);
    const before = sessionCookie(page.headers['set-cookie']);
    expect(before).toBeDefined();
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username: 'bob', password: 'glasshouse', _csrf: csrfFrom(page.text) })
      .expect(303);
    const after = sessionCookie(res.headers['set-cookie']);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    // The pre-login session id must not be logged in.
    await request(gh.url).get('/').set('Cookie', before!).expect(303);
  });

  it('When a login form is posted without its CSRF token, then it is refused with 403', async () => {
    const agent = request.agent(gh.url);
    await agent.get('/login').expect(200);
    const res = await agent.post('/login').type('form').send({ username: 'alice', password: 'glasshouse' });
    expect(res.status).toBe(403);
    const bogus = await agent
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: 'glasshouse', _csrf: 'forged' });
    expect(bogus.status).toBe(403);
    await agent.get('/').expect(303);
  });

  it('When a logged-in person posts a message without the CSRF token, then it is refused and nothing is stored', async () => {
    const agent = await loggedInAgent(gh.url, 'alice');
    const count = gh.store.messageCountIn('t_alice_bob');
    await agent.post('/threads/t_alice_bob/messages').type('form').send({ text: 'forged' }).expect(403);
    expect(gh.store.messageCountIn('t_alice_bob')).toBe(count);
  });

  it('When login is needed, then the person returns to the page they asked for, and never to another site', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get('/login?returnTo=%2Ffriends').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: 'glasshouse', _csrf: csrfFrom(page.text) })
      .expect('Location', '/friends');
    const evil = request.agent(gh.url);
    const evilPage = await evil.get('/login?returnTo=%2F%2Fevil.example').expect(200);
    await evil
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: 'glasshouse', _csrf: csrfFrom(evilPage.text) })
      .expect('Location', '/');
  });

  it('When the page to return to is over 2,048 characters, then it is not kept in the session: the login leads home', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get(`/login?returnTo=%2F${'a'.repeat(2_048)}`).expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: 'glasshouse', _csrf: csrfFrom(page.text) })
      .expect('Location', '/');
  });

  it('When a form is posted after the session ended (the page stayed open), then the login leads back to the page the form was on, not to its POST-only path', async () => {
    const res = await request(gh.url)
      .post('/threads/t_alice_bob/messages')
      .set('Origin', gh.url)
      .set('Referer', `${gh.url}/threads/t_alice_bob`)
      .type('form')
      .send({ text: 'typed before the session ended' });
    expect([res.status, res.headers['location']]).toEqual([303, '/login?returnTo=%2Fthreads%2Ft_alice_bob']);
    const elsewhere = await request(gh.url)
      .post('/threads/t_alice_bob/messages')
      .set('Origin', gh.url)
      .set('Referer', 'http://evil.example/threads/t_alice_bob')
      .type('form')
      .send({ text: 'x' });
    expect(elsewhere.headers['location']).toBe('/login?returnTo=%2F');
  });

  it('When a person logs out, then the session no longer opens the inbox', async () => {
    const agent = await loggedInAgent(gh.url, 'carol');
    const inbox = await agent.get('/').expect(200);
    await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(inbox.text) })
      .expect(303);
    await agent.get('/').expect(303);
  });

  // Linux routes all of 127.0.0.0/8 to the loopback interface; macOS has only 127.0.0.1 there.
  (process.platform === 'linux' ? it : it.skip)(
    'When the guesses come from other loopback addresses (127.0.0.2…), then they are the same client: still 429',
    async () => {
      /** One request from `localAddress`, with `cookie`; resolves with its status, cookies and body. */
      const from = (localAddress: string, method: string, cookie: string, form?: Record<string, string>) =>
        new Promise<{ status: number; setCookie: string[]; body: string }>((resolve, reject) => {
          const body = form ? new URLSearchParams(form).toString() : undefined;
          const req = http.request(
            `${gh.url}/login`,
            {
              method,
              localAddress,
              headers: { cookie, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
            },
            (res) => {
              let text = '';
              res.on('data', (c: Buffer) => (text += c.toString()));
              res.on('end', () =>
                resolve({ status: res.statusCode!, setCookie: res.headers['set-cookie'] ?? [], body: text }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      const page = await from('127.0.0.1', 'GET', '');
      const cookie = page.setCookie.map((c) => c.split(';')[0]).join('; ');
      const csrf = csrfFrom(page.body);
      for (let i = 0; i < 10; i++) {
        const guess = await from(`127.0.0.${2 + i}`, 'POST', cookie, {
          username: 'erin',
          password: `guess-${i}`,
          _csrf: csrf,
        });
        expect(guess.status).toBe(401);
      }
      const blocked = await from('127.0.0.200', 'POST', cookie, {
        username: 'erin',
        password: 'glasshouse',
        _csrf: csrf,
      });
      expect(blocked.status).toBe(429);
    },
  );

  it("attemptSource: every address of this machine (loopback, its interfaces') is one source, an IPv6 address from elsewhere counts by its /56, other IPv4 addresses by themselves", () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .map((i) => i!.address);
    const local = ['127.0.0.1', '127.0.0.2', '127.255.0.9', '::1', '::ffff:127.0.0.3', ...own].map(attemptSource);
    expect(new Set(local)).toEqual(new Set(['local']));
    expect(attemptSource('2001:db8:0:ff::1')).toBe(attemptSource('2001:db8::2'));
    expect(attemptSource('2001:db8:0:100::1')).not.toBe(attemptSource('2001:db8::2'));
    expect(attemptSource('10.255.0.1')).toBe('10.255.0.1');
    expect(attemptSource('::ffff:10.255.0.1')).toBe('10.255.0.1');
  });

  it('When a password is guessed ten times, then the eleventh attempt is refused with 429 even if right, and other people are unaffected', async () => {
    const agent = request.agent(gh.url);
    const page = await agent.get('/login').expect(200);
    const csrf = csrfFrom(page.text);
    // Written differently (spaces around it, capitals), a username is still the same person's.
    const spellings = ['dave', ' dave', 'DAVE ', '\tDave'];
    for (let i = 0; i < 10; i++) {
      await agent
        .post('/login')
        .type('form')
        .send({ username: spellings[i % spellings.length], password: `guess-${i}`, _csrf: csrf })
        .expect(401);
    }
    const blocked = await agent
      .post('/login')
      .type('form')
      .send({ username: ' Dave ', password: 'glasshouse', _csrf: csrf });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(/retry after \d+ s/);
    await agent.get('/').expect(303); // not logged in
    await loggedInAgent(gh.url, 'frank');
  });
});
