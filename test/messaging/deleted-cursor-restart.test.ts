import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testConfig } from '../../server/src/config.js';
import { createPlatform, type Platform } from '../../server/src/platform.js';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import type { Store } from '../../server/src/store/store.js';
import { ALL_SCOPES, tokenFor } from '../helpers/api.js';
import type { RunningPlatform } from '../helpers/platform.js';

/**
 * README "Paging": a cursor whose message was deleted still works, across restarts too. Seeded ids
 * (`m_0002`) do not carry their time, so the store keeps their key (`deletedMessages`).
 */
describe('a deleted seeded message used as a cursor, after a restart', () => {
  let dir: string;
  let dataFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-deleted-cursor-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The platform over the data file, as `npm start` builds it; `run` gets its app and a token of alice. */
  async function withPlatform(
    run: (app: Platform['app'], auth: { Authorization: string }, store: Store) => Promise<void>,
  ) {
    const store = await openFileStore(dataFile);
    const platform = createPlatform({ config: testConfig(), store });
    try {
      const token = await tokenFor({ platform, store } as RunningPlatform, 'alice', ALL_SCOPES);
      await run(platform.app, { Authorization: `Bearer ${token}` }, store);
    } finally {
      await platform.close();
      await store.close(); // compacts: the deleted row is gone from the data file
    }
  }
  const page = (app: Platform['app'], auth: { Authorization: string }, query: string) =>
    request(app).get(`/api/v1/threads/t_alice_bob/messages?${query}`).set(auth);

  it('When m_0002 is deleted and the platform restarts, then max_id=m_0002 and min_id=m_0002 still read from its place', async () => {
    let before: { older: string[]; newer: string[] } | undefined;
    await withPlatform(async (app, auth) => {
      await request(app).delete('/api/v1/messages/m_0002').set(auth).expect(204);
      before = {
        older: (await page(app, auth, 'max_id=m_0002').expect(200)).body.items.map((m: { id: string }) => m.id),
        newer: (await page(app, auth, 'min_id=m_0002').expect(200)).body.items.map((m: { id: string }) => m.id),
      };
    });
    expect(before).toEqual({ older: ['m_0001'], newer: ['m_0004', 'm_0003'] });
    await withPlatform(async (app, auth, store) => {
      expect(store.get('messages', 'm_0002')).toBeUndefined();
      const older = (await page(app, auth, 'max_id=m_0002').expect(200)).body.items.map((m: { id: string }) => m.id);
      const newer = (await page(app, auth, 'min_id=m_0002').expect(200)).body.items.map((m: { id: string }) => m.id);
      expect({ older, newer }).toEqual(before);
      // Still only a cursor of its own thread.
      await request(app).get('/api/v1/threads/g_weekend/messages?max_id=m_0002').set(auth).expect(400);
    });
  });
});
