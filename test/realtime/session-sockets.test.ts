import { afterAll, describe, expect, it } from '@jest/globals';
import { Manager, type Socket } from 'socket.io-client';
import { startPlatform, usePlatform } from '../helpers/platform.js';
import { cookieSocket, loginCookie, postFormAs } from '../helpers/web-session.js';

describe('sockets die with their web session', () => {
  const gh = usePlatform();
  const sockets: Socket[] = [];

  /** A connected socket on `nsp` with `cookie`, recording why it ended. */
  async function open(
    nsp: string,
    cookie: string,
    auth?: Record<string, unknown>,
  ): Promise<{ socket: Socket; ended: string[] }> {
    const socket = await cookieSocket(`${gh.url}${nsp}`, cookie, auth);
    sockets.push(socket);
    const ended: string[] = [];
    socket.on('session:ended', (p: { reason: string }) => ended.push(p.reason));
    socket.on('disconnect', (reason) => ended.push(reason));
    return { socket, ended };
  }
  const disconnected = (s: Socket) =>
    new Promise<void>((resolve) => (s.disconnected ? resolve() : s.once('disconnect', () => resolve())));
  /** Posts a form with `cookie` (the page's CSRF token and cookie). */
  const postForm = async (cookie: string, path: string, fields: Record<string, string> = {}) =>
    (await postFormAs(gh.url, cookie, path, fields)).res;

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
  });

  it('When alice logs out, then her inbox and monitor sockets hear session:ended and are disconnected', async () => {
    const cookie = await loginCookie(gh.url, 'alice');
    const inbox = await open('/', cookie);
    const monitor = await open('/monitor', cookie);
    const other = await open('/', await loginCookie(gh.url, 'alice'));
    expect((await postForm(cookie, '/logout')).status).toBe(303);
    await Promise.all([disconnected(inbox.socket), disconnected(monitor.socket)]);
    expect(inbox.ended).toEqual(['logged_out', 'io server disconnect']);
    expect(monitor.ended).toEqual(['logged_out', 'io server disconnect']);
    // Alice's session in another browser is a different session: it stays.
    expect(other.socket.connected).toBe(true);
  });

  it("When carol logs in over the browser session alice used, then alice's sockets are closed, and a page rendered for alice cannot reconnect as carol", async () => {
    const cookie = await loginCookie(gh.url, 'alice');
    const inbox = await open('/', cookie, { personId: 'p_alice' });
    const res = await postForm(cookie, '/login', { username: 'carol', password: 'glasshouse' });
    expect(res.status).toBe(303);
    await disconnected(inbox.socket);
    expect(inbox.ended[0]).toBe('logged_in');
    const carolCookie = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    await expect(open('/', carolCookie, { personId: 'p_alice' })).rejects.toThrow('session_changed');
    await expect(open('/', carolCookie, { personId: 'p_carol' })).resolves.toBeDefined();
  });

  it("When another session ends, then bob's socket stays connected", async () => {
    const cookie = await loginCookie(gh.url, 'bob');
    const inbox = await open('/', cookie);
    gh.platform.events.emit('session.ended', { sessionId: 'someone-else', reason: 'expired' });
    const marker = await gh.platform.social.send('p_alice', 't_alice_bob', { text: 'still here' });
    await new Promise<void>((resolve) =>
      inbox.socket.on('message:created', (p: { message: { id: string } }) => p.message.id === marker.id && resolve()),
    );
    expect(inbox.socket.connected).toBe(true);
  });

  it.each([
    ['/', 'login required'],
    ['/monitor', 'admin token required'],
  ])(
    'When %s is joined on a connection whose web session ended (logout) after its handshake, then it is refused: %s',
    async (nsp, refusal) => {
      const cookie = await loginCookie(gh.url, 'alice'); // alice is an admin: her session opens /monitor
      const manager = new Manager(gh.url, {
        transports: ['websocket'],
        extraHeaders: { Cookie: cookie },
        reconnection: false,
      });
      const join = (name: string, auth?: Record<string, unknown>) =>
        new Promise<Socket>((resolve, reject) => {
          const socket = manager.socket(name, auth ? { auth } : {});
          sockets.push(socket);
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', (err) => reject(err));
        });
      // A partner socket (a token, not the cookie) keeps the connection open across the logout.
      const { access_token } = await gh.platform.tokens.issue({
        personId: 'p_dave',
        clientId: 'tunewave',
        scopes: ['messages:read'],
      });
      const partner = await join('/partners', { token: access_token });
      expect((await postForm(cookie, '/logout')).status).toBe(303);
      await expect(join(nsp)).rejects.toThrow(refusal);
      expect(partner.connected).toBe(true); // the same connection, still open
    },
  );

  it('When a session expires (here after 1 s without requests), then each of its sockets hears session:ended expired once and is closed', async () => {
    const short = await startPlatform({ SESSION_MAX_AGE_SECONDS: '1' });
    try {
      const cookie = await loginCookie(short.url, 'bob');
      // Three pages (connections) of one session: each socket watched the expiry, and each used to
      // announce it to all of them (three session:ended per socket).
      const three = await Promise.all([1, 2, 3].map(() => cookieSocket(short.url, cookie)));
      sockets.push(...three);
      const ended = three.map((socket) => {
        const heard: string[] = [];
        socket.on('session:ended', (p: { reason: string }) => heard.push(p.reason));
        return heard;
      });
      await Promise.all(three.map(disconnected));
      expect(ended).toEqual([['expired'], ['expired'], ['expired']]);
    } finally {
      await short.close();
    }
  });
});
