import { afterAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { io as connect, type Socket } from 'socket.io-client';
import type { AccessEntry } from '../../server/src/store/schema.js';
import { until, usePlatform } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';
import { revoke, tokenFor } from '../helpers/api.js';
import { PARTNER_SECRETS } from '../../seed/world.js';

interface Inbox {
  socket: Socket;
  created: { message: { id: string; threadId: string; text: string; sender: { id: string } } }[];
  deleted: { messageId: string; threadId: string }[];
}

/**
 * The marker for "was not delivered": `sync` is answered after every delivery to this socket that
 * was decided before it, so anything that would have arrived has arrived once it resolves.
 */
const synced = (inbox: { socket: Socket }) => inbox.socket.timeout(2000).emitWithAck('sync');

describe('the partner socket', () => {
  const gh = usePlatform();
  const sockets: Socket[] = [];

  async function open(token: unknown): Promise<Inbox> {
    const socket = connect(`${gh.url}/partners`, { transports: ['websocket'], auth: { token }, reconnection: false });
    sockets.push(socket);
    const inbox: Inbox = { socket, created: [], deleted: [] };
    socket.on('message:created', (p: Inbox['created'][number]) => inbox.created.push(p));
    socket.on('message:deleted', (p: Inbox['deleted'][number]) => inbox.deleted.push(p));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return inbox;
  }
  /** `username` writes in a thread through the web inbox (not through any partner). */
  const says = async (username: string, threadId: string, text: string) => {
    const agent = await loggedInAgent(gh.url, username);
    const page = await agent.get(`/threads/${threadId}`).expect(200);
    await agent
      .post(`/threads/${threadId}/messages`)
      .type('form')
      .send({ text, _csrf: csrfFrom(page.text) })
      .expect(303);
  };
  const setPolicy = (mode: string) =>
    request(gh.url)
      .put('/admin/policy')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ mode })
      .expect(200);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
  });

  it.each([
    ['no cookie', undefined],
    ['an empty Cookie header', ''],
    ["another app's cookie", 'tunewave.sid=abc; other=1'],
    ['an empty platform session cookie', 'glasshouse.sid='],
  ])(
    'When a partner server connects with %s (an access token, no platform session cookie), then its handshake loads no web session: nothing of one is kept on the connection',
    async (_, cookie) => {
      const token = await tokenFor(gh, 'alice', ['messages:read']);
      const socket = connect(`${gh.url}/partners`, {
        transports: ['websocket'],
        auth: { token },
        reconnection: false,
        ...(cookie === undefined ? {} : { extraHeaders: { Cookie: cookie } }),
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
      const held = [...gh.platform.io.of('/partners').sockets.values()].find((s) => s.id === socket.id)!;
      const req = held.request as unknown as Record<string, unknown>;
      expect([req['session'], req['sessionID'], req['cookies']]).toEqual([undefined, undefined, undefined]);
    },
  );

  it("When a friend writes in the owner's thread, then the partner socket receives it, and the delivery is logged", async () => {
    const alice = await open(await tokenFor(gh, 'alice', ['messages:read']));
    const logged: AccessEntry[] = [];
    const off = gh.platform.events.on('access.recorded', ({ entry }) => logged.push(entry));
    await says('bob', 't_alice_bob', 'Did you hear the new album?');
    await until(() => alice.created.length === 1);
    off();
    expect(alice.created[0]!.message).toMatchObject({
      threadId: 't_alice_bob',
      text: 'Did you hear the new album?',
      sender: { id: 'p_bob' },
    });
    expect(logged).toEqual([
      expect.objectContaining({
        clientId: 'tunewave',
        ownerId: 'p_alice',
        channel: 'socket',
        operation: 'socket message:created',
        threadIds: ['t_alice_bob'],
        messageIds: [alice.created[0]!.message.id],
        peopleIncluded: ['p_bob'],
        bystanders: ['p_bob'],
      }),
    ]);
  });

  it('When messages are written in threads the owner is not in, then nothing reaches the partner socket', async () => {
    const alice = await open(await tokenFor(gh, 'alice', ['messages:read']));
    await says('bob', 't_bob_dave', 'Drill is ready');
    await says('bob', 't_alice_bob', 'marker');
    await until(() => alice.created.some((c) => c.message.text === 'marker'));
    expect(alice.created.map((c) => c.message.threadId)).toEqual(['t_alice_bob']);
  });

  it('When the token lacks messages:read, then no message reaches its socket', async () => {
    const writeOnly = await open(await tokenFor(gh, 'carol', ['messages:write'], 'reelbox'));
    const reader = await open(await tokenFor(gh, 'carol', ['messages:read'], 'tunewave'));
    await says('bob', 'g_weekend', 'Leaving at 8');
    await until(() => reader.created.length === 1);
    await synced(writeOnly);
    expect(writeOnly.created).toEqual([]);
  });

  it('When messages:read is withdrawn from a connected token, then deliveries stop at once', async () => {
    const token = await tokenFor(gh, 'judy', ['profile', 'messages:read']);
    const judy = await open(token);
    await says('ivan', 't_ivan_judy', 'first');
    await until(() => judy.created.length === 1);
    await gh.platform.tokens.narrowGrant((await gh.platform.tokens.verify(token)).grantId, ['profile']);
    await says('ivan', 't_ivan_judy', 'second');
    await synced(judy);
    expect(judy.created.map((c) => c.message.text)).toEqual(['first']);
    expect(gh.store.accessLog().filter((e) => e.ownerId === 'p_judy' && e.channel === 'socket')).toHaveLength(1);
  });

  it('When the policy is least-privilege, then only threads the client posted into reach its socket', async () => {
    const token = await tokenFor(gh, 'erin', ['messages:read', 'messages:write']);
    const erin = await open(token);
    await says('dave', 't_dave_erin', 'Broad: this one reaches the partner');
    await until(() => erin.created.length === 1);
    await setPolicy('least-privilege');
    try {
      await request(gh.url)
        .post('/api/v1/threads/g_weekend/messages')
        .set('Authorization', `Bearer ${token}`)
        .send({ text: 'Playing: trail mix' })
        .expect(201);
      await says('dave', 't_dave_erin', 'Least-privilege: this one stays private');
      await says('bob', 'g_weekend', 'Sounds good');
      await until(() => erin.created.some((c) => c.message.text === 'Sounds good'));
      expect(erin.created.map((c) => c.message.text)).toEqual([
        'Broad: this one reaches the partner',
        'Playing: trail mix',
        'Sounds good',
      ]);
    } finally {
      await setPolicy('broad');
    }
  });

  it('When a partner deletes a message, then sockets of that thread within scope get message:deleted', async () => {
    const carol = await open(await tokenFor(gh, 'carol', ['messages:read'], 'reelbox'));
    const alice = await tokenFor(gh, 'alice', ['messages:delete']);
    await request(gh.url).delete('/api/v1/messages/m_0018').set('Authorization', `Bearer ${alice}`).expect(204);
    await until(() => carol.deleted.length === 1);
    expect(carol.deleted).toEqual([{ messageId: 'm_0018', threadId: 'g_weekend' }]);
  });

  it('When a partner emits sync with an ack, then the answer is ok', async () => {
    const alice = await open(await tokenFor(gh, 'alice', ['messages:read']));
    expect(await synced(alice)).toEqual({ ok: true, at: expect.any(Number) });
  });

  it.each([
    ['no token', undefined],
    ['an empty token', ''],
    ['a made-up token', 'not-a-token'],
    ['a token of the wrong type', 42],
  ])('When a socket connects with %s, then it is refused', async (_case, token) => {
    await expect(open(token)).rejects.toMatchObject({ message: 'invalid_token' });
  });

  it('When the grant is revoked, then its socket is disconnected and a new one is refused', async () => {
    const token = await tokenFor(gh, 'dave', ['messages:read'], 'reelbox');
    const dave = await open(token);
    const reasons: string[] = [];
    dave.socket.on('disconnect', (reason) => reasons.push(reason));
    await revoke(gh, token);
    await until(() => reasons.length > 0);
    expect(reasons).toEqual(['io server disconnect']);
    await expect(open(token)).rejects.toMatchObject({ message: 'invalid_token' });
  });

  it('When the client revokes the access token alone (RFC 7009, POST /token/revocation), then its socket is disconnected at once', async () => {
    const token = await tokenFor(gh, 'dave', ['messages:read'], 'tunewave');
    const dave = await open(token);
    const reasons: string[] = [];
    dave.socket.on('disconnect', (reason) => reasons.push(reason));
    await request(gh.url)
      .post('/token/revocation')
      .auth('tunewave', PARTNER_SECRETS.tunewave)
      .type('form')
      .send({ token, token_type_hint: 'access_token' })
      .expect(200);
    // No message is needed to notice: the socket closes as the token's row goes.
    await until(() => reasons.length > 0, 2000, 'the socket to close');
    expect(reasons).toEqual(['io server disconnect']);
  });

  it('When a message is deleted while its delivery waits out an injected latency, then the socket gets the deletion, never the deleted content', async () => {
    const token = await tokenFor(gh, 'erin', ['messages:read'], 'reelbox');
    const erin = await open(token);
    await request(gh.url)
      .post('/admin/faults')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ token, kind: 'latency', latencyMs: 300, times: 1 })
      .expect(200);
    const doomed = await gh.platform.social.send('p_alice', 'g_weekend', { text: 'gone before it arrives' });
    await gh.platform.social.removeMessage(doomed, 'p_alice');
    await until(() => erin.deleted.some((d) => d.messageId === doomed.id), 2000, 'the deletion');
    await new Promise((r) => setTimeout(r, 500)); // the delayed delivery's time has passed
    await synced(erin);
    expect(erin.created.map((c) => c.message.id)).not.toContain(doomed.id);
  });

  it("When a client is shut down, then its sockets are disconnected and other clients' stay", async () => {
    const reelbox = await open(await tokenFor(gh, 'heidi', ['messages:read'], 'reelbox'));
    const tunewave = await open(await tokenFor(gh, 'heidi', ['messages:read'], 'tunewave'));
    const reasons: string[] = [];
    reelbox.socket.on('disconnect', (reason) => reasons.push(reason));
    await gh.platform.oauth.clients.setStatus('reelbox', 'shut_down');
    await until(() => reasons.length > 0);
    expect(reasons).toEqual(['io server disconnect']);
    await says('ivan', 'g_family', 'Still here?');
    await until(() => tunewave.created.length === 1);
    expect(tunewave.socket.connected).toBe(true);
  });
});
