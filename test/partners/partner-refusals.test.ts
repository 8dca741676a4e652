import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Agent } from 'supertest';
import { logInWithGlasshouse, startDemo, type RunningDemo } from './helpers/demo.js';
import { glasshouseAdmin } from './helpers/glasshouse.js';
import { csrfOf, playAs } from './helpers/partner.js';
import {
  answersIn,
  connectionsAfterClosing,
  continuePipelinedBehind,
  PARSER_REFUSALS,
  rawRequest,
} from '../helpers/raw-http.js';

/**
 * Refusals a logged-in person can meet on Tunewave, against the real platform under the
 * least-privilege policy: each is a readable page (or problem details for `fetch`) with its own
 * status — never a 500, never a logged stack trace.
 */
describe('partner refusals under least-privilege', () => {
  let demo: RunningDemo;
  const log = jest.fn<(err: unknown) => void>();
  let agent: Agent;
  let csrf: string;

  beforeAll(async () => {
    demo = await startDemo({ log });
    await glasshouseAdmin(demo.gh).setPolicy('least-privilege');
    agent = (await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice')).agent;
    csrf = csrfOf((await agent.get('/').expect(200)).text);
    // Tunewave posts into alice's 1:1 with bob, so least-privilege lets it see that thread.
    await agent.post('/share').type('form').send({ _csrf: csrf, friend: 'p_bob' }).expect(303);
    await playAs(agent, csrf, 'joplin-entertainer').expect(200);
    // Bob answers: visible to Tunewave (after its post), but not Tunewave's to delete.
    await demo.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'Nice track!' });
  });
  afterAll(async () => {
    await demo.close();
  });

  /** The newest message of `senderId` in `threadId`. */
  const messageOf = (threadId: string, senderId: string) =>
    demo.gh.store
      .messageIdsIn(threadId)
      .reverse()
      .find((id) => demo.gh.store.get('messages', id)!.senderId === senderId)!;
  const deleteMessage = (messageId: string, threadId: string, accept: string) =>
    agent
      .post(`/seen/messages/${encodeURIComponent(messageId)}/delete`)
      .type('form')
      .set('Accept', accept)
      .send({ _csrf: csrf, threadId });

  it('When a request expecting 100-continue is pipelined behind a large answer of Tunewave or Reelbox, then its 100 Continue never lands inside an answer', async () => {
    for (const app of [demo.tunewave, demo.reelbox])
      for (let i = 0; i < 5; i++) {
        const answer = await continuePipelinedBehind(app.url, '/assets/pico.min.css', '/no/such/page');
        expect(answersIn(answer)).toMatchObject({ tiled: true, statuses: expect.arrayContaining(['200', '404']) });
      }
  });

  it.each([
    [
      'with Upgrade, then another pipelined',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
      ['200'],
    ],
    [
      'pipelined before one with Upgrade',
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
      ['200', '200'],
    ],
    [
      'with Upgrade and a body',
      'POST /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\n{}',
      ['400'],
    ],
  ])(
    'When Tunewave or Reelbox gets a request %s, then each is answered over HTTP/1.1 in order and the connection closed (a pipelined one was dropped and the connection left open)',
    async (_what, raw, statuses) => {
      for (const app of [demo.tunewave, demo.reelbox]) {
        const { answer, socket } = await rawRequest(app.url, raw);
        socket.destroy();
        expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, status]) => status)).toEqual(statuses);
        if (statuses[0] === '400') expect(answer).toContain('Content-Type: application/problem+json');
      }
    },
  );

  it.each(PARSER_REFUSALS)(
    "When Tunewave's or Reelbox's server gets a request with %s, then it answers that status as its problem details and closes the connection",
    async (_what, raw, status) => {
      for (const app of [demo.tunewave, demo.reelbox]) {
        const { answer, socket } = await rawRequest(app.url, raw);
        expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(answer).toContain('Content-Type: application/problem+json');
        const problem = JSON.parse(answer.split('\r\n\r\n')[1]!) as Record<string, unknown>;
        const tooLarge = [413, 414, 431].includes(status);
        // Each kind says what was wrong: a 405, 408, 417 or 501 is no malformed request.
        expect(problem).toMatchObject({
          status,
          error: tooLarge ? 'too_large' : status === 400 ? 'bad_request' : 'not_http',
        });
        expect(problem['message']).toContain(tooLarge ? app.config.name : 'try again');
        expect(await connectionsAfterClosing(app.partner.httpServer)).toBe(0);
        socket.destroy();
      }
    },
  );

  it("When a request Tunewave's or Reelbox's parser refuses is pipelined after a good one, then both are answered, in order", async () => {
    for (const app of [demo.tunewave, demo.reelbox]) {
      const { answer, socket } = await rawRequest(app.url, 'GET / HTTP/1.1\r\nHost: x\r\n\r\nFOO /x HTTP/1.1\r\n\r\n');
      socket.destroy();
      const statusLines = [...answer.matchAll(/HTTP\/1\.1 \d{3} [^\r]*/g)].map(([line]) => line);
      expect(statusLines).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 501 Not Implemented']);
    }
  });

  it("When Tunewave's or Reelbox's server gets the request target * (RFC 9112 §3.2.4), then OPTIONS gets 204 and any other method 400 problem details, never a 500", async () => {
    for (const app of [demo.tunewave, demo.reelbox]) {
      for (const [method, status] of [
        ['OPTIONS', 204],
        ['DELETE', 400],
      ] as const) {
        const { answer, socket } = await rawRequest(
          app.url,
          `${method} * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        );
        socket.destroy();
        expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        if (status === 400)
          expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({ status, error: 'bad_request' });
      }
    }
  });

  it('When the player asks to play an item that is not in the catalogue, then 400 problem details say so', async () => {
    const res = await playAs(agent, csrf, 'nope').expect(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({
      status: 400,
      error: 'bad_request',
      detail: expect.stringContaining('No such item'),
    });
  });

  it('When the share list is sent as JSON instead of a form, then 400 problem details and the saved list stays as it was', async () => {
    const res = await agent
      .post('/share')
      .set('x-csrf-token', csrf)
      .set('Accept', 'application/json')
      .send({ friend: [] })
      .expect(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ error: 'bad_request', detail: expect.stringContaining('form') });
    // Still shared with bob (set in beforeAll): a play reaches him.
    const play = await playAs(agent, csrf, 'joplin-entertainer').expect(200);
    expect(play.body.sent).toEqual(['Bob Okafor']);
  });

  it('When JSON is sent labelled as a form (its text read as one unknown field), then 400 problem details and the saved list stays as it was', async () => {
    const res = await agent
      .post('/share')
      .set('x-csrf-token', csrf)
      .set('Accept', 'application/json')
      .type('form')
      .send('{"friend":["p_carol"]}')
      .expect(400);
    expect(res.body).toMatchObject({ error: 'bad_request' });
    const play = await playAs(agent, csrf, 'joplin-entertainer').expect(200);
    expect(play.body.sent).toEqual(['Bob Okafor']);
  });

  it('When any other form of the partner that reads fields (sneaky mode, deleting a message) is sent as JSON with the CSRF header, then 400 problem details and nothing changes', async () => {
    await agent.post('/kept/sneaky').type('form').send({ _csrf: csrf, sneaky: 'on' }).expect(303);
    const asJson = (path: string) =>
      agent.post(path).set('x-csrf-token', csrf).set('Accept', 'application/json').send({ sneaky: 'off' }).expect(400);
    for (const path of ['/kept/sneaky', `/seen/messages/${messageOf('t_alice_bob', 'p_bob')}/delete`]) {
      const res = await asJson(path);
      expect(res.body).toMatchObject({ error: 'bad_request', detail: expect.stringContaining('form') });
    }
    expect((await agent.get('/kept').expect(200)).text).toContain('Sneaky mode is on'); // still logged in, still on
    await agent.post('/kept/sneaky').type('form').send({ _csrf: csrf, sneaky: 'off' }).expect(303);
  });

  it('When the share list names someone who is not a friend of the person (a stale tab, a hand-made form), then 400 and the saved list stays', async () => {
    for (const stranger of ['p_dave', 'p_nobody']) {
      const res = await agent
        .post('/share')
        .type('form')
        .set('Accept', 'application/json')
        .send(
          new URLSearchParams([
            ['_csrf', csrf],
            ['friend', 'p_bob'],
            ['friend', stranger],
          ]).toString(),
        )
        .expect(400);
      expect(res.body).toMatchObject({ error: 'bad_request', detail: expect.stringContaining(stranger) });
    }
    expect((await playAs(agent, csrf, 'joplin-entertainer').expect(200)).body.sent).toEqual(['Bob Okafor']);
  });

  it("When alice deletes bob's message in a thread Tunewave posted in, then the page says Glasshouse refused (403) and the message stays", async () => {
    const messageId = messageOf('t_alice_bob', 'p_bob');
    const res = await deleteMessage(messageId, 't_alice_bob', 'text/html').expect(403);
    expect(res.text).toContain('Glasshouse refused');
    expect(res.text).toContain('Under the least-privilege policy, Tunewave may only delete messages it sent for you.');
    expect(res.text).not.toContain('Something went wrong');
    expect(demo.gh.store.get('messages', messageId)).toBeDefined();
    expect(log).not.toHaveBeenCalled();
  });

  it('When a fetch caller deletes a message the policy protects, then it gets 403 problem details', async () => {
    const res = await deleteMessage(messageOf('t_alice_bob', 'p_bob'), 't_alice_bob', 'application/json').expect(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 403, error: 'forbidden_by_policy', title: 'Glasshouse refused' });
    expect(res.body.detail).toContain('Tunewave may only delete messages it sent for you');
    expect(log).not.toHaveBeenCalled();
  });

  it('When alice deletes a message in a thread Tunewave never posted in, then the page says not found (404)', async () => {
    const messageId = messageOf('g_weekend', 'p_carol');
    const res = await deleteMessage(messageId, 'g_weekend', 'text/html').expect(404);
    expect(res.text).toContain('Not found');
    expect(demo.gh.store.get('messages', messageId)).toBeDefined();
    expect(log).not.toHaveBeenCalled();
  });

  it("When the platform refuses with another 4xx (an id too long: 400), then the page has that status and the platform's reason", async () => {
    const res = await deleteMessage('x'.repeat(300), 't_alice_bob', 'text/html').expect(400);
    expect(res.text).toContain('data-failure="refused"');
    expect(res.text).toContain('Glasshouse refused');
    expect(res.text).toContain('expected string to have &lt;=100 characters');
    expect(log).not.toHaveBeenCalled();
  });

  it('When the policy is least-privilege, then the demo banner says Tunewave sees only the conversations it posted in', async () => {
    const res = await agent.get('/seen').expect(200);
    expect(res.text).toContain('Glasshouse runs its <em>least-privilege</em> policy');
    expect(res.text).not.toContain('read <em>all</em> your conversations');
  });
});

/** Caller mistakes found by the body parsers: 400/413, as problem details or a page; nothing logged. */
describe('partner answers to malformed or oversized requests', () => {
  let demo: RunningDemo;
  const log = jest.fn<(err: unknown) => void>();
  let agent: Agent;
  let csrf: string;

  beforeAll(async () => {
    demo = await startDemo({ log });
    agent = (await logInWithGlasshouse(demo.gh, demo.tunewave, 'bob')).agent;
    csrf = csrfOf((await agent.get('/').expect(200)).text);
  });
  afterAll(async () => {
    await demo.close();
  });

  const play = (body: string, accept: string) =>
    agent
      .post('/play')
      .set('x-csrf-token', csrf)
      .set('Content-Type', 'application/json')
      .set('Accept', accept)
      .send(body);
  const share = (fields: string, accept: string) =>
    agent
      .post('/share')
      .type('form')
      .set('Accept', accept)
      .send(`_csrf=${encodeURIComponent(csrf)}&${fields}`);
  const manyFriends = Array.from({ length: 5000 }, (_, i) => `friend=p_${i}`).join('&');
  const manyEmptyFields = Array.from({ length: 1500 }, () => 'friend').join('&'); // under 8 kB, over 1,000 fields

  it.each([
    {
      what: 'malformed JSON is played',
      status: 400,
      error: 'bad_request',
      send: () => play('{"itemId":', 'application/json'),
    },
    {
      what: 'a 200 kB JSON body is played',
      status: 413,
      error: 'too_large',
      send: () => play(JSON.stringify({ itemId: 'x'.repeat(200_000) }), 'application/json'),
    },
    {
      what: '5,000 friends are shared',
      status: 413,
      error: 'too_large',
      send: () => share(manyFriends, 'application/json'),
    },
    {
      what: '1,500 form fields are shared',
      status: 413,
      error: 'too_large',
      send: () => share(manyEmptyFields, 'application/json'),
    },
    {
      what: 'a path with a malformed escape is asked for',
      status: 400,
      error: 'bad_request',
      send: () => agent.get('/seen/threads/%ff').set('Accept', 'application/json'),
    },
  ])('When $what by a fetch caller, then the answer is $status problem details', async ({ send, status, error }) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, error });
    expect(log).not.toHaveBeenCalled();
  });

  it.each([
    {
      what: 'malformed JSON is played',
      status: 400,
      heading: 'That request was not valid',
      send: () => play('{"itemId":', 'text/html'),
    },
    {
      what: '5,000 friends are shared',
      status: 413,
      heading: 'That request was too large',
      send: () => share(manyFriends, 'text/html'),
    },
  ])('When $what by a browser, then the answer is a $status page', async ({ send, status, heading }) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain(heading);
    expect(log).not.toHaveBeenCalled();
  });

  it('When a page loads, then its icon is served (/favicon.svg) and /favicon.ico is not a 404', async () => {
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    const icon = await agent
      .get('/favicon.svg')
      .buffer(true)
      .expect(200)
      .expect('Content-Type', /^image\/svg\+xml/);
    expect(String(icon.body)).toContain('♫');
    await agent.get('/favicon.ico').expect(204);
  });
});
