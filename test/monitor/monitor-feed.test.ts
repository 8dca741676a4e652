import { afterAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { io as connect, type Socket } from 'socket.io-client';
import { EventBus } from '../../server/src/events.js';
import { createMonitorFeed } from '../../server/src/monitor/monitor-feed.js';
import { openStore } from '../../server/src/store/store.js';
import { memoryPersistence } from '../../server/src/store/persistence.js';
import { seedWorld } from '../../seed/world.js';
import { tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';

interface Exported {
  events: { kind: string; label: string; details: { messages?: { id: string; snippet: string }[] } }[];
}

describe('the monitor feed keeps what happened, built when it is first shown', () => {
  const gh = usePlatform();
  const sockets: Socket[] = [];
  afterAll(() => sockets.forEach((s) => s.disconnect()));
  const exported = async () =>
    (await request(gh.url).get('/monitor/log.json').set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`).expect(200))
      .body as Exported;

  it('When a partner reads a page with no monitor open, then the export still shows the read with each message and its snippet', async () => {
    const token = await tokenFor(gh, 'alice', ['messages:read']);
    const page = await request(gh.url)
      .get('/api/v1/threads/g_weekend/messages?limit=3')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const read = (await exported()).events.filter((e) => e.kind === 'access').at(-1)!;
    const shown = page.body.items.map((m: { id: string; text: string }) => ({
      id: m.id,
      snippet: m.text.slice(0, 80),
    }));
    expect(read.label).toMatch(/^read · “Weekend plans” · /);
    expect(read.details.messages!.map(({ id, snippet }) => ({ id, snippet }))).toEqual(shown);
  });

  it('When a partner reads a message with no monitor open and the message is deleted before the export, then the export still shows what was read', async () => {
    const token = await tokenFor(gh, 'alice', ['messages:read', 'messages:write', 'messages:delete']);
    const api = (req: request.Test) => req.set('Authorization', `Bearer ${token}`);
    const posted = await api(request(gh.url).post('/api/v1/threads/g_weekend/messages'))
      .send({ text: 'read, then deleted' })
      .expect(201);
    const page = await api(request(gh.url).get('/api/v1/threads/g_weekend/messages?limit=2')).expect(200);
    expect(page.body.items[0].id).toBe(posted.body.id);
    await api(request(gh.url).delete(`/api/v1/messages/${posted.body.id}`)).expect(204);
    const accesses = (await exported()).events.filter((e) => e.kind === 'access');
    const read = accesses.findLast((e) => e.label.startsWith('read · '))!;
    expect(read.details.messages![0]).toMatchObject({ id: posted.body.id, snippet: 'read, then deleted' });
    const written = accesses.findLast((e) => e.label.startsWith('write · '))!;
    expect(written.details.messages![0]).toMatchObject({ id: posted.body.id, snippet: 'read, then deleted' });
  });

  it('When a monitor is open, then a read reaches it live, with the same event the export gives later', async () => {
    const socket = connect(`${gh.url}/monitor`, {
      transports: ['websocket'],
      auth: { token: gh.config.ADMIN_TOKEN },
      reconnection: false,
    });
    sockets.push(socket);
    await new Promise((resolve) => socket.once('history', resolve));
    const token = await tokenFor(gh, 'bob', ['messages:read']);
    const live = new Promise<{ seq: number; label: string }>((resolve) =>
      socket.on('access', (e: { kind: string; seq: number; label: string }) => e.kind === 'access' && resolve(e)),
    );
    await request(gh.url)
      .get('/api/v1/threads/g_weekend/messages?limit=2')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const event = await live;
    expect(event.label).toMatch(/^read · “Weekend plans” · /);
    const again = (await exported()).events.find((e) => (e as unknown as { seq: number }).seq === event.seq);
    expect(again).toEqual(event);
  });
});

describe('the feed keeps the most recent 5,000 events', () => {
  it('When 12,345 events happened, then it holds the last 5,000 in order, and a new one comes after them', async () => {
    const events = new EventBus();
    const store = await openStore(memoryPersistence(), () => seedWorld());
    const feed = createMonitorFeed({ events, store, now: () => 0 });
    for (let i = 1; i <= 12_345; i++) events.emit('oauth.step', { at: i, step: 'token', detail: `step ${i}` });
    const kept = feed.events();
    expect(kept).toHaveLength(5000);
    expect(kept[0]!.at).toBe(12_345 - 4999);
    expect(kept.at(-1)!.at).toBe(12_345);
    expect(kept.every((e, i) => i === 0 || e.seq === kept[i - 1]!.seq + 1)).toBe(true);
    feed.close();
    await store.close();
  });
});
