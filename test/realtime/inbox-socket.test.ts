import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io as connect, type Socket } from 'socket.io-client';
import { until, usePlatform } from '../helpers/platform.js';
import { loginCookie } from '../helpers/web-session.js';

interface Received {
  created: { message: { id: string; threadId: string; text: string } }[];
  deleted: { messageId: string }[];
}

describe('the live inbox', () => {
  const gh = usePlatform();
  const sockets: Socket[] = [];
  const byName: Record<string, Socket> = {};
  const received: Record<string, Received> = {};

  async function open(username: string): Promise<Socket> {
    const cookie = await loginCookie(gh.url, username);
    const socket = connect(gh.url, {
      transports: ['websocket'],
      extraHeaders: { Cookie: cookie },
      reconnection: false,
    });
    sockets.push(socket);
    byName[username] = socket;
    const box: Received = (received[username] = { created: [], deleted: [] });
    socket.on('message:created', (p: Received['created'][number]) => box.created.push(p));
    socket.on('message:deleted', (p: Received['deleted'][number]) => box.deleted.push(p));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  beforeAll(async () => {
    await Promise.all(['alice', 'bob', 'carol'].map(open));
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
  });

  it('When alice writes to bob, then both their sockets get it and carol, not in the thread, gets nothing', async () => {
    const message = await gh.platform.social.send('p_alice', 't_alice_bob', { text: 'live hello' });
    await until(() => received['bob']!.created.some((p) => p.message.id === message.id));
    await until(() => received['alice']!.created.some((p) => p.message.id === message.id));
    // A message carol *can* see arrives after it: if she had been sent the first one, it would be here by now.
    const marker = await gh.platform.social.send('p_alice', 't_alice_carol', { text: 'marker' });
    await until(() => received['carol']!.created.some((p) => p.message.id === marker.id));
    expect(received['carol']!.created.map((p) => p.message.id)).not.toContain(message.id);
  });

  it("When a message is deleted, then it is removed from the participants' sockets only", async () => {
    const message = await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'oops' });
    await gh.platform.social.deleteOwn('p_bob', message.id);
    await until(() => received['alice']!.deleted.some((p) => p.messageId === message.id));
    await until(() => received['bob']!.deleted.some((p) => p.messageId === message.id));
    const marker = await gh.platform.social.send('p_carol', 't_alice_carol', { text: 'marker 2' });
    await gh.platform.social.deleteOwn('p_carol', marker.id);
    await until(() => received['carol']!.deleted.some((p) => p.messageId === marker.id));
    expect(received['carol']!.deleted.map((p) => p.messageId)).not.toContain(message.id);
  });

  it('When a page asks messages:since after a gap, then it gets the messages of its threads from then on, oldest first, as the thread page renders them', async () => {
    const since = Date.now();
    const first = await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'gap <1>' });
    await gh.platform.social.send('p_carol', 'g_book_club', { text: "not alice's thread" });
    const second = await gh.platform.social.send('p_alice', 't_alice_carol', { text: 'gap 2' });
    const all = (await byName['alice']!.timeout(2000).emitWithAck('messages:since', { since })) as {
      messages: { message: { id: string }; html: string }[];
      more: boolean;
    };
    const ids = all.messages.map((m) => m.message.id);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
    expect(ids.indexOf(first.id)).toBeGreaterThanOrEqual(0);
    expect(all.messages.every((m) => !m.html.includes('not alice'))).toBe(true);
    expect(all.messages.find((m) => m.message.id === first.id)!.html).toMatch(
      /^<li class="message" data-message-id="[^"]+">[\s\S]*<time datetime=[\s\S]*gap &lt;1&gt;/,
    );
    expect(all.more).toBe(false);
    const one = (await byName['alice']!.timeout(2000).emitWithAck('messages:since', {
      since,
      threadId: 't_alice_carol',
    })) as { messages: { message: { id: string } }[] };
    expect(one.messages.map((m) => m.message.id)).toEqual([second.id]);
  });

  it('When a socket connects without a logged-in session, then it is refused', async () => {
    const anonymous = connect(gh.url, { transports: ['websocket'], reconnection: false });
    sockets.push(anonymous);
    const error = await new Promise<Error>((resolve) => anonymous.once('connect_error', resolve));
    expect(error.message).toBe('login required');
  });
  it('When two messages of one millisecond are in different threads, then messages:since gives them in the order they were created', async () => {
    const at = Date.now(); // both stamps share one millisecond (the second counts on within it)
    const rows = ['t_alice_bob', 't_alice_carol'].map((threadId) => {
      const { id, createdAt } = gh.store.stampMessage(at);
      return { id, createdAt, threadId, senderId: 'p_alice', text: `same ms in ${threadId}` };
    });
    expect(rows[0]!.createdAt).toBe(rows[1]!.createdAt);
    for (const row of rows) await gh.store.put('messages', row); // t_alice_carol is now the most recent thread
    const all = (await byName['alice']!.timeout(2000).emitWithAck('messages:since', { since: at })) as {
      messages: { message: { id: string } }[];
    };
    expect(all.messages.map((m) => m.message.id)).toEqual(rows.map((r) => r.id));
  });
});
