import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
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
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-api-faults-'));
    dataFile = path.join(dir, 'glasshouse.json');
    store = await openStore(filePersistence(dataFile, faults.disk), () => seedWorld());
    platform = createPlatform({ config: testConfig(), store });
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
});
