import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { io as connect, type Socket } from 'socket.io-client';
import { PARTNER_SECRETS } from '../../seed/world.js';
import type { AccessEntry } from '../../server/src/store/schema.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { tokenFor } from '../helpers/api.js';

interface Receiver {
  socket: Socket;
  texts: string[];
}

/** Deliveries to many sockets at once: one send, one batch of access-log entries, tokens checked in memory. */
describe('partner socket deliveries', () => {
  let gh: RunningPlatform;
  const sockets: Socket[] = [];

  async function open(token: string): Promise<Receiver> {
    const socket = connect(`${gh.url}/partners`, { transports: ['websocket'], auth: { token }, reconnection: false });
    sockets.push(socket);
    const receiver: Receiver = { socket, texts: [] };
    socket.on('message:created', ({ message }: { message: { text: string } }) => receiver.texts.push(message.text));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return receiver;
  }
  /** Posts as `username` through the API with a fresh Reelbox token; resolves on 201. */
  async function post(username: string, threadId: string, text: string): Promise<void> {
    const token = await tokenFor(gh, username, ['messages:write'], 'reelbox');
    await request(gh.url)
      .post(`/api/v1/threads/${threadId}/messages`)
      .set('Authorization', `Bearer ${token}`)
      .send({ text })
      .expect(201);
  }
  const until = async (check: () => boolean) => {
    for (let i = 0; !check(); i++) {
      if (i > 300) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  beforeAll(async () => {
    gh = await startPlatform();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await gh.close();
  });

  it('When one person has five Tunewave sockets and one Reelbox socket, then a post reaches all six and is logged once per client with the socket count', async () => {
    const tunewave = await Promise.all(
      [1, 2, 3, 4, 5].map(async () => open(await tokenFor(gh, 'heidi', ['messages:read'], 'tunewave'))),
    );
    const reelbox = await open(await tokenFor(gh, 'heidi', ['messages:read'], 'reelbox'));
    const logged: AccessEntry[] = [];
    const off = gh.platform.events.on(
      'access.recorded',
      ({ entry }) => entry.channel === 'socket' && logged.push(entry),
    );
    await post('ivan', 'g_family', 'Dinner at 7');
    await until(() => [...tunewave, reelbox].every((r) => r.texts.length === 1));
    off();
    expect([...tunewave, reelbox].map((r) => r.texts)).toEqual(Array.from({ length: 6 }, () => ['Dinner at 7']));
    expect(logged.map((e) => [e.clientId, e.ownerId, e.sockets])).toEqual([
      ['tunewave', 'p_heidi', 5],
      ['reelbox', 'p_heidi', undefined],
    ]);
    expect(gh.store.accessLog().filter((e) => e.channel === 'socket')).toEqual(logged);
  });

  it('When an access token is revoked (RFC 7009, which takes down the tokens of its grant), then their sockets are disconnected at the next delivery and get nothing', async () => {
    const revokedToken = await tokenFor(gh, 'judy', ['messages:read'], 'tunewave');
    const sameGrant = await open(await tokenFor(gh, 'judy', ['messages:read'], 'tunewave'));
    const revoked = await open(revokedToken);
    const otherClient = await open(await tokenFor(gh, 'judy', ['messages:read'], 'reelbox'));
    const reasons: string[] = [];
    for (const r of [revoked, sameGrant]) r.socket.on('disconnect', (reason) => reasons.push(reason));
    await request(gh.url)
      .post('/token/revocation')
      .auth('tunewave', PARTNER_SECRETS.tunewave)
      .type('form')
      .send({ token: revokedToken })
      .expect(200);
    await post('ivan', 't_ivan_judy', 'After the revocation');
    await until(() => otherClient.texts.length === 1 && reasons.length === 2);
    expect([revoked.texts, sameGrant.texts]).toEqual([[], []]);
    expect(reasons).toEqual(['io server disconnect', 'io server disconnect']);
  });

  it('When a partner socket gets a delivery, then the platform keeps no copy of it for replay (partners catch up with since_id; only the inbox has connection-state recovery)', async () => {
    const receiver = await open(await tokenFor(gh, 'heidi', ['messages:read'], 'tunewave'));
    await post('ivan', 'g_family', 'Nothing kept');
    await until(() => receiver.texts.includes('Nothing kept'));
    const kept = (nsp: string) => (gh.platform.io.of(nsp).adapter as unknown as { packets?: unknown[] }).packets;
    expect(kept('/partners')).toBeUndefined();
    expect(kept('/')).toEqual(expect.any(Array));
  });

  it('When nobody involved has an inbox page open, then a post renders nothing for the inbox and keeps no copy for replay (a page catches up with messages:since)', async () => {
    const packets = () => (gh.platform.io.of('/').adapter as unknown as { packets: unknown[] }).packets.length;
    const before = packets();
    await post('ivan', 'g_family', 'Nobody watching');
    expect(packets()).toBe(before);
  });
});
