import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io as connect, type Socket } from 'socket.io-client';
import { tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent, loginCookie } from '../helpers/web-session.js';

const EVIL = 'http://evil.example';

describe('socket handshakes and forms check the Origin of cookie-authenticated callers', () => {
  const gh = usePlatform({ ALLOWED_ORIGINS: 'http://allowed.example:8080' });
  let aliceCookie: string;
  const sockets: Socket[] = [];

  /** Resolves 'connected' or the connect_error message. */
  function attempt(
    path: string,
    options: { origin?: string; cookie?: string; auth?: Record<string, unknown> },
  ): Promise<string> {
    const headers: Record<string, string> = {};
    if (options.origin) headers['Origin'] = options.origin;
    if (options.cookie) headers['Cookie'] = options.cookie;
    const socket = connect(`${gh.url}${path}`, {
      transports: ['websocket'],
      extraHeaders: headers,
      reconnection: false,
      ...(options.auth ? { auth: options.auth } : {}),
    });
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (err) => resolve(err.message));
    });
  }

  beforeAll(async () => {
    aliceCookie = await loginCookie(gh.url, 'alice');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
  });

  it.each([
    ['/', EVIL, 'forbidden_origin'],
    ['/', 'http://127.0.0.1:1', 'forbidden_origin'],
    ['/', 'null', 'forbidden_origin'],
    ['/', undefined, 'connected'],
    ['/', 'PLATFORM', 'connected'],
    ['/', 'http://allowed.example:8080', 'connected'],
    ['/monitor', EVIL, 'admin token required'],
    ['/monitor', 'PLATFORM', 'connected'],
  ])(
    "When a socket on %s carries alice's cookie from Origin %s, then the handshake answers %s",
    async (nsp, origin, outcome) => {
      const o = origin === 'PLATFORM' ? gh.url : origin;
      expect(await attempt(nsp, { cookie: aliceCookie, ...(o ? { origin: o } : {}) })).toBe(outcome);
    },
  );

  it("When the admin token or a partner's bearer token is used from a foreign Origin, then the socket connects (bearer namespaces are unaffected)", async () => {
    expect(await attempt('/monitor', { origin: EVIL, auth: { token: gh.config.ADMIN_TOKEN } })).toBe('connected');
    expect(
      await attempt('/partners', { origin: EVIL, auth: { token: await tokenFor(gh, 'alice', ['messages:read']) } }),
    ).toBe('connected');
  });

  it("When a foreign page posts a platform form with alice's cookie, then it is refused with 403 forbidden_origin and nothing is sent", async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/threads/t_alice_bob').expect(200);
    const before = gh.store.messageIdsIn('t_alice_bob').length;
    const res = await alice
      .post('/threads/t_alice_bob/messages')
      .set('Origin', EVIL)
      .set('Accept', 'application/json')
      .type('form')
      .send({ text: 'forged', _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(403);
    expect(res.body.type).toMatch(/forbidden_origin$/);
    expect(gh.store.messageIdsIn('t_alice_bob')).toHaveLength(before);
    await alice
      .post('/threads/t_alice_bob/messages')
      .set('Origin', gh.url)
      .type('form')
      .send({ text: 'from the platform page', _csrf: csrfFrom(page.text) })
      .expect(303);
  });
});
