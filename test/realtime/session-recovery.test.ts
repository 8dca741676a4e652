import { afterAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { startPlatform, usePlatform } from '../helpers/platform.js';
import { cookieSocket, loginCookie, postFormAs } from '../helpers/web-session.js';

/**
 * socket.io connection-state recovery restores a socket's rooms and replays the broadcasts it
 * missed. A socket dropped while its web session ends (logout, another person's login) must not
 * come back with the old person's rooms (README "Socket security model": a socket is never more
 * than its session), whether or not the client says who it expects (`auth.personId`).
 */
describe('connection-state recovery never outlives the session', () => {
  const gh = usePlatform();
  const sockets: Socket[] = [];
  afterAll(() => {
    for (const s of sockets) s.disconnect();
  });

  /** Posts a platform form as a tab of the browser session `cookie` would; the cookie jar after it. */
  async function postForm(cookie: string, path: string, fields: Record<string, string> = {}): Promise<string> {
    const { res, jar } = await postFormAs(gh.url, cookie, path, fields);
    expect(res.status).toBe(303);
    return jar;
  }
  /** Logs `username` in over the browser session `cookie` (same cookie jar, as another tab would). */
  const loginOver = (cookie: string, username: string) =>
    postForm(cookie, '/login', { username, password: 'glasshouse' });

  async function alicesDroppedSocket(auth: Record<string, unknown>) {
    const cookie = await loginCookie(gh.url, 'alice');
    const socket = await cookieSocket(gh.url, cookie, auth);
    sockets.push(socket);
    const texts: string[] = [];
    socket.on('message:created', (p: { message: { text: string } }) => texts.push(p.message.text));
    // One broadcast received, so the client has an offset to recover from.
    await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'before the drop' });
    await new Promise<void>((resolve) => socket.on('message:created', () => resolve()));
    // The network drops (a recoverable disconnection: the server keeps the socket's state).
    const dropped = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    gh.platform.io.of('/').sockets.get(socket.id!)!.conn.close();
    await dropped;
    return { socket, texts, cookie };
  }

  /** Reconnects `socket` (same pid and offset) with `cookie`: the outcome, then what it received. */
  async function reconnectWith(socket: Socket, cookie: string): Promise<string> {
    (socket.io.opts.extraHeaders as Record<string, string>)['Cookie'] = cookie;
    const outcome = new Promise<string>((resolve) => {
      socket.once('connect', () => resolve(`connected recovered=${socket.recovered}`));
      socket.once('connect_error', (e) => resolve(e.message));
    });
    socket.connect();
    return outcome;
  }

  it.each([
    ['without auth.personId', {}],
    ['with auth.personId', { personId: 'p_alice' }],
  ])(
    "When alice's socket (%s) drops, carol logs in over that browser session, bob writes to alice, and the socket reconnects with carol's cookie, then it is not recovered as alice and gets none of alice's messages",
    async (_label, auth) => {
      const { socket, texts, cookie } = await alicesDroppedSocket(auth);
      const carol = await loginOver(cookie, 'carol');
      await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'during the drop' });
      const outcome = await reconnectWith(socket, carol);
      expect(outcome).not.toContain('recovered=true');
      // Marker: a message to carol after the reconnection (when connected) shows that deliveries are decided.
      if (socket.connected) {
        const marker = await gh.platform.social.send('p_alice', 't_alice_carol', { text: 'marker for carol' });
        await new Promise<void>((resolve) =>
          socket.on('message:created', (p: { message: { id: string } }) => p.message.id === marker.id && resolve()),
        );
        await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'after the reconnection' });
        const marker2 = await gh.platform.social.send('p_carol', 't_alice_carol', { text: 'second marker' });
        await new Promise<void>((resolve) =>
          socket.on('message:created', (p: { message: { id: string } }) => p.message.id === marker2.id && resolve()),
        );
      }
      expect(texts).not.toContain('during the drop');
      expect(texts).not.toContain('after the reconnection');
    },
  );

  it("When alice's socket drops and she logs out, then its reconnection with the old cookie is refused and replays nothing", async () => {
    const { socket, texts, cookie } = await alicesDroppedSocket({ personId: 'p_alice' });
    await postForm(cookie, '/logout');
    await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'during the drop' });
    expect(await reconnectWith(socket, cookie)).toBe('login required');
    // A later successful connection must not emit what was buffered from a refused recovery.
    const fresh = await loginCookie(gh.url, 'alice');
    expect(await reconnectWith(socket, fresh)).toMatch(/^connected/);
    expect(texts).toEqual(['before the drop']);
  });

  it("When bob's session expires while his socket is away (here 1 s without requests), then its state is forgotten: the reconnection is refused and replays nothing", async () => {
    const short = await startPlatform({ SESSION_MAX_AGE_SECONDS: '1' });
    try {
      const cookie = await loginCookie(short.url, 'bob');
      const socket = await cookieSocket(short.url, cookie);
      sockets.push(socket);
      const texts: string[] = [];
      socket.on('message:created', (p: { message: { text: string } }) => texts.push(p.message.text));
      await short.platform.social.send('p_alice', 't_alice_bob', { text: 'before the drop' });
      await new Promise<void>((resolve) => socket.once('message:created', () => resolve()));
      const expired = new Promise<void>((resolve) => short.platform.events.on('session.ended', () => resolve()));
      short.platform.io.of('/').sockets.get(socket.id!)!.conn.close();
      await expired;
      await short.platform.social.send('p_alice', 't_alice_bob', { text: 'during the drop' });
      expect(await reconnectWith(socket, cookie)).toBe('login required');
      expect(await reconnectWith(socket, await loginCookie(short.url, 'bob'))).toMatch(/^connected/);
      expect(texts).toEqual(['before the drop']);
    } finally {
      await short.close();
    }
  });
});
