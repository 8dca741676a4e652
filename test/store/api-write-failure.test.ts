import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testConfig } from '../../server/src/config.js';
import { createPlatform, type Platform } from '../../server/src/platform.js';
import { filePersistence, journalPathFor } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { seedWorld } from '../../seed/world.js';
import { ALL_SCOPES, tokenFor } from '../helpers/api.js';
import { faultyDisk } from '../helpers/faulty-disk.js';
import type { RunningPlatform } from '../helpers/platform.js';

describe('when the disk refuses the write behind an API call', () => {
  let dir: string;
  let store: Store;
  let platform: Platform;
  let token: string;
  let dataFile: string;
  const faults = faultyDisk();
  /** What the platform logged, one parsed pino line each. */
  const logged: { level: number; msg: string; cause?: string; err?: unknown }[] = [];
  const logLines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line));
      done();
    },
  });
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-api-faults-'));
    dataFile = path.join(dir, 'glasshouse.json');
    store = await openStore(filePersistence(dataFile, faults.disk), () => seedWorld());
    platform = createPlatform({ config: testConfig(), store, logger: pino({ level: 'info' }, logLines) });
    token = await tokenFor({ platform, store } as RunningPlatform, 'alice', ALL_SCOPES);
  });
  afterAll(async () => {
    faults.heal();
    await platform.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['POST a message', 'post', '/api/v1/threads/g_weekend/messages', { text: 'never saved' }],
    ['GET the threads (its access-log entry cannot be saved)', 'get', '/api/v1/threads', undefined],
  ] as const)(
    'When a partner tries to %s on a full disk, then it gets a 503 problem with Retry-After and nothing is stored',
    async (_what, method, url, body) => {
      const messagesBefore = store.all('messages').length;
      const accessesBefore = store.accessLog().length;
      faults.failNext('write', 'ENOSPC', Infinity);
      const res = await request(platform.app)[method](url).set('Authorization', `Bearer ${token}`).send(body);
      faults.heal();
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({ status: 503, type: expect.stringMatching(/storage_unavailable$/) });
      expect(store.all('messages')).toHaveLength(messagesBefore);
      expect(store.accessLog()).toHaveLength(accessesBefore);
      // An expected condition, logged as a warning with its reason, not as an error with a stack.
      expect(logged.filter((l) => l.msg === 'write refused').at(-1)).toMatchObject({ level: 40, cause: 'ENOSPC' });
      expect(logged.filter((l) => l.level >= 50)).toEqual([]);
      // Once the disk has room again, the same call succeeds.
      const retry = await request(platform.app)[method](url).set('Authorization', `Bearer ${token}`).send(body);
      expect(retry.status).toBe(method === 'post' ? 201 : 200);
    },
  );

  it('When a partner POSTs a message, then the message and its access-log entry reach the journal as one line (one append, durable together)', async () => {
    const res = await request(platform.app)
      .post('/api/v1/threads/g_weekend/messages')
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'one append' });
    expect(res.status).toBe(201);
    const lines = (await readFile(journalPathFor(dataFile), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as { op: string; ops?: { op: string; c: string; v: { id: string; messageIds?: string[] } }[] },
      );
    const line = lines.find((l) => l.ops?.some((op) => op.c === 'messages' && op.v.id === res.body.id));
    expect(line?.ops?.map((op) => [op.op, op.c])).toEqual([
      ['put', 'messages'],
      ['put', 'accessLog'],
    ]);
    expect(line?.ops?.[1]?.v.messageIds).toEqual([res.body.id]);
    expect(store.accessLog().filter((e) => e.messageIds.includes(res.body.id) && e.action === 'write')).toHaveLength(1);
  });

  // API writes made of more than one store commit once: the later commit refused.
  it('When a partner deletes a message and its access-log entry is refused, then the deletion is not answered as done without its entry', async () => {
    await store.flush();
    const victim = store.all('messages').find((m) => m.threadId === 'g_weekend')!;
    faults.failAfter('write', 'ENOSPC', 1); // the deletion goes through; the next write is refused
    let res;
    try {
      res = await request(platform.app).delete(`/api/v1/messages/${victim.id}`).set('Authorization', `Bearer ${token}`);
    } finally {
      faults.heal();
    }
    const logged = store.accessLog().filter((e) => e.action === 'delete' && e.messageIds.includes(victim.id));
    const gone = store.get('messages', victim.id) === undefined;
    // Either both (204) or neither (503), as for POST (README "Data and storage").
    expect({ status: res.status, gone, logged: logged.length }).toEqual(
      res.status === 204 ? { status: 204, gone: true, logged: 1 } : { status: 503, gone: false, logged: 0 },
    );
  });

  it('When a partner sends the first message to a friend and a write is refused, then a 503 leaves no new thread (and a 201 has both)', async () => {
    const alice = store.personByUsername('alice')!;
    const friend = store
      .friendIdsOf(alice.id)
      .find((f) => !store.threadsOf(alice.id).some((t) => t.kind === 'direct' && t.participantIds.includes(f)));
    expect(friend).toBeDefined();
    for (const done of [0, 1]) {
      await store.flush();
      const threadsBefore = store.all('threads').map((t) => t.id);
      faults.failAfter('write', 'ENOSPC', done); // refuse the first write, then the second
      let res;
      try {
        res = await request(platform.app)
          .post('/api/v1/me/messages')
          .set('Authorization', `Bearer ${token}`)
          .send({ to: friend, text: `hello ${done}` });
      } finally {
        faults.heal();
      }
      const sent = store.all('messages').filter((m) => m.text === `hello ${done}`);
      if (res.status === 201) {
        expect(sent).toHaveLength(1);
        continue;
      }
      expect([res.status, done]).toEqual([503, done]);
      // README: "a 503 that neither is" — nor a new, empty thread in the friend's inbox, made by the app
      expect(store.all('threads').map((t) => t.id)).toEqual(threadsBefore);
    }
  });
});
