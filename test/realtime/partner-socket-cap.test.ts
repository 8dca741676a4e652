import { afterEach, describe, expect, it } from '@jest/globals';
import { io as connect, type Socket } from 'socket.io-client';
import { tokenFor } from '../helpers/api.js';
import { startPlatform, until, usePlatform } from '../helpers/platform.js';

/** How a handshake ended: connected, or the connect_error's message. */
function handshake(url: string, token: string, opened: Socket[]): Promise<string> {
  const socket = connect(`${url}/partners`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  opened.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

describe('/partners sockets per access token (PARTNER_SOCKETS_PER_TOKEN)', () => {
  const gh = usePlatform({ PARTNER_SOCKETS_PER_TOKEN: '3' });
  const opened: Socket[] = [];
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
  });

  it('When one token opens 8 sockets at once with a cap of 3, then 3 connect and 5 get too_many_sockets; a closed one frees its place', async () => {
    const token = await tokenFor(gh, 'dave', ['messages:read']);
    const results = await Promise.all(Array.from({ length: 8 }, () => handshake(gh.url, token, opened)));
    expect(results.filter((r) => r === 'connected')).toHaveLength(3);
    expect(results.filter((r) => r === 'too_many_sockets')).toHaveLength(5);

    opened.find((s) => s.connected)!.close();
    await until(() => gh.platform.io.of('/partners').sockets.size === 2, 5000, 'the server to see the close');
    expect(await handshake(gh.url, token, opened)).toBe('connected');
    expect(await handshake(gh.url, token, opened)).toBe('too_many_sockets');
  });

  it('When a token opens exactly its cap in overlapping batches (as the bench does), then every one connects', async () => {
    const token = await tokenFor(gh, 'heidi', ['messages:read']);
    const capped = await startPlatform({ PARTNER_SOCKETS_PER_TOKEN: '40' });
    try {
      const mint = (
        await capped.platform.tokens.issue({ personId: 'p_heidi', clientId: 'tunewave', scopes: ['messages:read'] })
      ).access_token;
      const results: string[] = [];
      for (const batch of [20, 20])
        results.push(...(await Promise.all(Array.from({ length: batch }, () => handshake(capped.url, mint, opened)))));
      expect(results.filter((r) => r !== 'connected')).toEqual([]);
      expect(await handshake(capped.url, mint, opened)).toBe('too_many_sockets');
    } finally {
      for (const s of opened.splice(0)) s.close();
      await capped.close();
    }
    expect(await handshake(gh.url, token, opened)).toBe('connected');
  });

  it('When another token of the same person connects, then it has its own places', async () => {
    const first = await tokenFor(gh, 'erin', ['messages:read']);
    const second = await tokenFor(gh, 'erin', ['messages:read']);
    for (let i = 0; i < 3; i++) expect(await handshake(gh.url, first, opened)).toBe('connected');
    expect(await handshake(gh.url, second, opened)).toBe('connected');
  });
});
