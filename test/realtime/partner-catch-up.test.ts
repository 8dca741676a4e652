import { afterAll, describe, expect, it } from '@jest/globals';
import {
  connectPartnerSocket,
  createGlasshouseClient,
  whenConnected,
  type FollowingSocket,
  type Message,
} from '../../partners/sdk/index.js';
import { tokenFor } from '../helpers/api.js';
import { until, usePlatform } from '../helpers/platform.js';

describe("the SDK's partner socket catches up after a reconnect", () => {
  const gh = usePlatform();
  const sockets: FollowingSocket[] = [];
  afterAll(() => {
    for (const s of sockets) s.disconnect();
  });

  async function follow(username: string, lastSeen?: { id: string; createdAt: number }) {
    const token = await tokenFor(gh, username, ['messages:read']);
    const got: { message: Message; replayed: boolean }[] = [];
    const socket = connectPartnerSocket({
      baseUrl: gh.url,
      token,
      catchUp: {
        client: createGlasshouseClient({ baseUrl: gh.url, accessToken: token }),
        onMessage: (message, { replayed }) => got.push({ message, replayed }),
        ...(lastSeen ? { lastSeen } : {}),
      },
    });
    sockets.push(socket);
    await whenConnected(socket);
    return { socket, got, texts: () => got.map((g) => g.message.text) };
  }
  /** A network drop: the transport closes and nothing reconnects until `back()`. */
  function drop(socket: FollowingSocket) {
    socket.io.reconnection(false);
    socket.io.engine.close();
    return {
      async back() {
        socket.io.reconnection(true);
        socket.connect();
        await whenConnected(socket);
      },
    };
  }
  const partnerSockets = () => gh.platform.io.of('/partners').sockets.size;
  const send = (from: string, threadId: string, text: string) => gh.platform.social.send(from, threadId, { text });

  it("When bob posts twice while alice's partner socket is away, then after the reconnect each message arrives exactly once", async () => {
    const alice = await follow('alice');
    const live = await send('p_bob', 't_alice_bob', 'live before the drop');
    await until(() => alice.got.some((g) => g.message.id === live.id));
    const connected = partnerSockets();
    const network = drop(alice.socket);
    await until(() => partnerSockets() === connected - 1);
    await send('p_bob', 't_alice_bob', 'missed one');
    await send('p_carol', 't_alice_carol', 'missed two');
    await network.back();
    const after = await send('p_bob', 't_alice_bob', 'live after');
    await until(() => alice.got.some((g) => g.message.id === after.id));
    expect(alice.texts()).toEqual(['live before the drop', 'missed one', 'missed two', 'live after']);
    // The two missed ones were read back (the last one may come either way, once).
    expect(alice.got.slice(0, 3).map((g) => g.replayed)).toEqual([false, true, true]);
  });

  it("When alice's partner socket drops before any message reached it, then the messages posted during the gap still arrive after the reconnect, exactly once", async () => {
    const old = await send('p_bob', 't_alice_bob', 'before the socket existed');
    const fresh = await follow('alice');
    await fresh.socket.timeout(2000).emitWithAck('sync');
    expect(fresh.got).toEqual([]);
    const connected = partnerSockets();
    const network = drop(fresh.socket);
    await until(() => partnerSockets() === connected - 1);
    await send('p_bob', 't_alice_bob', 'missed one');
    await send('p_carol', 't_alice_carol', 'missed two');
    await network.back();
    const after = await send('p_bob', 't_alice_bob', 'live after');
    await until(() => fresh.got.some((g) => g.message.id === after.id));
    expect(fresh.texts()).toEqual(['missed one', 'missed two', 'live after']);
    expect(fresh.texts()).not.toContain(old.text);
  });

  it('When the last message seen was deleted during the gap, then the catch-up still starts right after it', async () => {
    const bob = await follow('bob');
    const seen = await send('p_alice', 't_alice_bob', 'soon deleted');
    await until(() => bob.got.some((g) => g.message.id === seen.id));
    const connected = partnerSockets();
    const network = drop(bob.socket);
    await until(() => partnerSockets() === connected - 1);
    await gh.platform.social.deleteOwn('p_alice', seen.id);
    await send('p_alice', 't_alice_bob', 'after the deleted one');
    await network.back();
    await until(() => bob.texts().includes('after the deleted one'));
    expect(bob.texts()).toEqual(['soon deleted', 'after the deleted one']);
  });

  it('When a partner starts again with the last message it saw (a restart), then its first connection catches up from there', async () => {
    const before = await send('p_bob', 't_alice_bob', 'seen before the restart');
    const missed = await send('p_bob', 't_alice_bob', 'sent during the restart');
    const alice = await follow('alice', { id: before.id, createdAt: before.createdAt });
    await until(() => alice.got.some((g) => g.message.id === missed.id));
    expect(alice.texts()).toEqual(['sent during the restart']);
    expect(alice.socket.lastSeen?.()).toEqual({ id: missed.id, createdAt: missed.createdAt });
  });

  it('When the last message seen is a seeded message of another thread (its id places nothing there), then the catch-up still brings what came after it, by time', async () => {
    const seeded = gh.store.get('messages', 'm_0029')!; // g_family: the seed's latest message
    const missed = await send('p_bob', 't_alice_bob', 'after the seeded one');
    const alice = await follow('alice', { id: seeded.id, createdAt: seeded.createdAt });
    await until(() => alice.got.some((g) => g.message.id === missed.id));
    expect(alice.got.filter((g) => g.message.id === missed.id)).toHaveLength(1);
    expect(alice.got.every((g) => g.message.createdAt >= seeded.createdAt && g.message.id !== seeded.id)).toBe(true);
  });
});
