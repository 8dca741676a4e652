import { afterAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { io as connect, type Socket } from 'socket.io-client';
import { usePlatform } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

describe('who may watch the monitor', () => {
  const gh = usePlatform();
  const sockets: Socket[] = [];
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
  });

  const open = (auth: Record<string, string>) => {
    const socket = connect(`${gh.url}/monitor`, { transports: ['websocket'], auth, reconnection: false });
    sockets.push(socket);
    return socket;
  };

  it('When the /monitor namespace is joined without the admin token, then it is refused', async () => {
    for (const auth of [{} as Record<string, string>, { token: 'wrong-token-wrong-token' }]) {
      const error = await new Promise<Error>((resolve) => open(auth).once('connect_error', resolve));
      expect(error.message).toBe('admin token required');
    }
  });

  it('When joined with the admin token, then it gets the history and then live events', async () => {
    gh.platform.events.emit('policy.changed', { mode: 'least-privilege' });
    const socket = open({ token: gh.config.ADMIN_TOKEN });
    const history = await new Promise<{ label: string }[]>((resolve) => socket.once('history', resolve));
    expect(history.map((e) => e.label)).toContain('policy → least-privilege');
    const live = new Promise<{ kind: string; label: string; seq: number }>((resolve) => socket.once('access', resolve));
    gh.platform.events.emit('oauth.step', {
      at: Date.now(),
      step: 'authorize',
      clientId: 'tunewave',
      personId: 'p_alice',
      scopes: ['profile'],
    });
    const event = await live;
    expect(event).toMatchObject({ kind: 'oauth', label: 'authorize · profile' });
    expect(event.seq).toBeGreaterThan(1);
  });

  it('When a non-admin person opens /monitor, then they are asked for the admin token; a wrong one is refused', async () => {
    const bob = await loggedInAgent(gh.url, 'bob');
    await bob
      .get('/monitor')
      .set('Accept', 'text/html')
      .expect(303)
      .expect('Location', /\/monitor\/unlock/);
    const page = await bob.get('/monitor/unlock').expect(200);
    await bob
      .post('/monitor/unlock')
      .type('form')
      .send({ token: 'nope', _csrf: csrfFrom(page.text) })
      .expect(401);
    // No credentials: the challenge carries no error code (RFC 6750 §3.1); a wrong token, invalid_token.
    const bare = await bob.get('/monitor/log.json').set('Accept', 'application/json').expect(401);
    expect(bare.headers['www-authenticate']).toBe('Bearer realm="glasshouse-admin"');
    const wrong = await request(gh.url)
      .get('/monitor/log.json')
      .set('Accept', 'application/json')
      .set('Authorization', 'Bearer nope')
      .expect(401);
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    await bob
      .post('/monitor/unlock')
      .type('form')
      .send({ token: gh.config.ADMIN_TOKEN, _csrf: csrfFrom(page.text) })
      .expect(303);
    await bob.get('/monitor').expect(200);
  });

  it('When the admin token is sent as a bearer token, then the log exports as JSON and Mermaid', async () => {
    const auth = { Authorization: `Bearer ${gh.config.ADMIN_TOKEN}` };
    const log = await request(gh.url).get('/monitor/log.json').set(auth).expect(200);
    expect(log.body.format).toBe('glasshouse-monitor/1');
    expect(log.body.events.length).toBeGreaterThan(0);
    const mermaid = await request(gh.url).get('/monitor/sequence.mmd').set(auth).expect(200);
    expect(mermaid.text).toMatch(/^sequenceDiagram\n/);
    expect(mermaid.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(mermaid.headers['content-disposition']).toBe('attachment; filename=glasshouse-sequence.mmd');
    expect(mermaid.text).toContain('authorize · profile');
  });

  it('When an admin person switches the policy on the monitor page, then the store holds the new mode', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/monitor').expect(200);
    await alice
      .post('/monitor/policy')
      .type('form')
      .send({ mode: 'least-privilege', _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(gh.store.settings().policy).toBe('least-privilege');
    await alice
      .post('/monitor/policy')
      .type('form')
      .send({ mode: 'everything', _csrf: csrfFrom(page.text) })
      .expect(400);
    expect(gh.store.settings().policy).toBe('least-privilege');
    await alice
      .post('/monitor/policy')
      .type('form')
      .send({ mode: 'broad', _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(gh.store.settings().policy).toBe('broad');
  });

  it('When the policy form names a mode twice or an unknown one, then the 400 names the field mode, saying what is wrong', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const csrf = csrfFrom((await alice.get('/monitor').expect(200)).text);
    const twice = await alice
      .post('/monitor/policy')
      .type('form')
      .set('Accept', 'application/json')
      .send(`mode=broad&mode=least-privilege&_csrf=${encodeURIComponent(csrf)}`)
      .expect(400);
    expect(twice.body.errors).toEqual([{ path: 'mode', message: 'Given 2 times: give it once' }]);
    const unknown = await alice
      .post('/monitor/policy')
      .type('form')
      .set('Accept', 'application/json')
      .send({ mode: 'everything', _csrf: csrf })
      .expect(400);
    expect(unknown.body.errors).toEqual([{ path: 'mode', message: expect.stringContaining('least-privilege') }]);
  });
});

describe('unlocking the monitor in a fresh browser', () => {
  const gh = usePlatform();

  it('When someone who never logged in enters the admin token, then the monitor opens', async () => {
    const agent = request.agent(gh.url);
    await agent
      .get('/monitor')
      .set('Accept', 'text/html')
      .expect(303)
      .expect('Location', '/monitor/unlock?returnTo=%2Fmonitor');
    const page = await agent.get('/monitor/unlock?returnTo=%2Fmonitor').expect(200);
    await agent
      .post('/monitor/unlock')
      .type('form')
      .send({ token: gh.config.ADMIN_TOKEN, returnTo: '/monitor', _csrf: csrfFrom(page.text) })
      .expect(303)
      .expect('Location', '/monitor');
    await agent.get('/monitor').expect(200);
  });
});
