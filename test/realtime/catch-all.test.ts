import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io as connect, type Socket } from 'socket.io-client';
import { tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';
import { loginCookie } from '../helpers/web-session.js';

describe('every namespace answers events it does not know', () => {
  const gh = usePlatform();
  const sockets: Record<string, Socket> = {};

  async function open(name: string, path: string, options: { cookie?: string; token?: string }): Promise<void> {
    const socket = connect(`${gh.url}${path}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(options.cookie ? { extraHeaders: { Cookie: options.cookie } } : {}),
      ...(options.token ? { auth: { token: options.token } } : {}),
    });
    sockets[name] = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  }

  beforeAll(async () => {
    const cookie = await loginCookie(gh.url, 'alice');
    await open('/', '/', { cookie });
    await open('/monitor', '/monitor', { cookie });
    await open('/partners', '/partners', { token: await tokenFor(gh, 'alice') });
  });
  afterAll(async () => {
    for (const s of Object.values(sockets)) s.disconnect();
  });

  it.each(['/', '/partners', '/monitor'])(
    'When a client emits an unknown event with an ack on %s, then the ack says unknown_event',
    async (nsp) => {
      const answer = await sockets[nsp]!.timeout(2000).emitWithAck('no:such-event', { x: 1 });
      expect(answer).toEqual({ error: 'unknown_event' });
    },
  );

  it.each([
    ['a string', 'hello'],
    ['a negative time', { since: -1 }],
    ['a thread id of the wrong type', { since: 0, threadId: 42 }],
  ])('When the inbox gets messages:since with %s, then the ack says invalid_payload', async (_name, payload) => {
    const answer = (await sockets['/']!.timeout(2000).emitWithAck('messages:since', payload)) as { error: string };
    expect(answer.error).toBe('invalid_payload');
  });

  it('When the inbox gets messages:since for a thread alice is not in, then the ack says not_found', async () => {
    expect(
      await sockets['/']!.timeout(2000).emitWithAck('messages:since', { since: 0, threadId: 'g_book_club' }),
    ).toEqual({ error: 'not_found' });
  });

  it.each([
    ['/partners', 'sync', ['bad']],
    ['/partners', 'sync', [{ a: 1 }, 2]],
    ['/', 'messages:since', [{ since: 0 }, 'extra']],
    ['/', 'messages:since', []],
  ])(
    'When %s gets the known event %s with the wrong number of arguments %j before the ack, then the ack says invalid_payload',
    async (nsp, event, args) => {
      const answer = (await sockets[nsp]!.timeout(2000).emitWithAck(event, ...args)) as { error: string };
      expect(answer.error).toBe('invalid_payload');
      // The socket stays usable.
      expect(sockets[nsp]!.connected).toBe(true);
    },
  );
});
