import { cp, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { testConfig } from '../../server/src/config.js';
import { createPlatform, type Platform } from '../../server/src/platform.js';
import { nodeDisk } from '../../server/src/store/disk.js';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import { filePersistence, StoreWriteError } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { seedWorld } from '../../seed/world.js';
import { ALL_SCOPES, stateOf, tokenFor } from '../helpers/api.js';
import { faultyDisk } from '../helpers/faulty-disk.js';
import type { RunningPlatform } from '../helpers/platform.js';

/** What a restart would load: the files as they are now (no clean stop), opened in another folder. */
async function crashImage(dir: string): Promise<Store> {
  const copy = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-reset-image-'));
  for (const f of await readdir(dir)) if (!f.endsWith('.lock')) await cp(path.join(dir, f), path.join(copy, f));
  return openFileStore(path.join(copy, 'glasshouse.json'));
}

describe('POST /admin/reset on a failing disk', () => {
  let dir: string;
  let store: Store;
  let platform: Platform;
  const faults = faultyDisk();
  const config = testConfig();
  const admin = { Authorization: `Bearer ${config.ADMIN_TOKEN}` };
  const images: Store[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-reset-'));
    store = await openStore(filePersistence(path.join(dir, 'glasshouse.json'), faults.disk), () => seedWorld());
    platform = createPlatform({ config, store });
  });
  afterEach(async () => {
    faults.heal();
    for (const image of images.splice(0)) await image.close();
  });
  afterAll(async () => {
    await platform.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  // With changes in the journal, they are folded into the data file first: that write can fail too.
  it.each([
    ['the rename of the new data file', 'with', 'rename', 'EIO'],
    ['the rename of the new data file', 'without', 'rename', 'EIO'],
    ['an fsync of the new data file', 'with', 'sync', 'EIO'],
    ['an fsync of the new data file', 'without', 'sync', 'EIO'],
    ['a write of the new data file', 'with', 'write', 'ENOSPC'],
    ['a write of the new data file', 'without', 'write', 'ENOSPC'],
  ] as const)(
    'When %s fails (%s changes in the journal), then the reset is a 503 problem with Retry-After and nothing of it is applied, in memory or on disk',
    async (_what, journal, call, code) => {
      const token = await tokenFor({ platform, store } as RunningPlatform, 'alice', ALL_SCOPES);
      if (store.get('messages', 'm_0001')) {
        await request(platform.app)
          .delete('/api/v1/messages/m_0001')
          .set('Authorization', `Bearer ${token}`)
          .expect(204);
      }
      await request(platform.app)
        .post('/admin/faults')
        .set(admin)
        .send({ clientId: 'tunewave', kind: 'refuse-refresh' })
        .expect(200);
      const faultsBefore = (await request(platform.app).get('/admin/faults').set(admin)).body.faults;
      if (journal === 'without') await store.compact();
      const before = stateOf(store);

      faults.failNext(call, code, 1);
      const res = await request(platform.app).post('/admin/reset').set(admin);
      faults.heal();

      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({ type: expect.stringMatching(/storage_unavailable$/) });
      expect(stateOf(store)).toBe(before);
      await request(platform.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
      // Nobody heard of a reset: the injected fault is still in force.
      expect((await request(platform.app).get('/admin/faults').set(admin)).body.faults).toEqual(faultsBefore);
      // The platform goes on, and what it acknowledges lands on the world as memory shows it.
      const bob = await tokenFor({ platform, store } as RunningPlatform, 'bob', ['messages:write'], 'reelbox');
      const post = await request(platform.app)
        .post('/api/v1/threads/t_alice_bob/messages')
        .set('Authorization', `Bearer ${bob}`)
        .send({ text: 'after a refused reset' })
        .expect(201);
      await store.flush();
      const image = await crashImage(dir);
      images.push(image);
      expect(image.get('messages', 'm_0001')).toBeUndefined();
      expect(image.get('messages', post.body.id)).toBeDefined();
      expect(image.snapshot()).toEqual(store.snapshot());
    },
  );

  it("When the folder's fsync fails just after the new data file was renamed into place, then the answer is still 503, and memory shows what the file system shows: the reset world", async () => {
    const token = await tokenFor({ platform, store } as RunningPlatform, 'alice', ALL_SCOPES);
    await store.compact(); // nothing to fold first: the next rename is the reset's
    faults.failNext('sync', 'EIO', 1, await realpath(dir));
    const res = await request(platform.app).post('/admin/reset').set(admin);
    faults.heal();
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(store.get('messages', 'm_0001')).toBeDefined();
    await request(platform.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    await store.flush();
    const image = await crashImage(dir);
    images.push(image);
    expect(image.snapshot()).toEqual(store.snapshot());
  });

  it('When the disk has healed, then a reset goes through: back to the seed in memory and on disk, old tokens gone', async () => {
    const token = await tokenFor({ platform, store } as RunningPlatform, 'alice', ALL_SCOPES);
    const res = await request(platform.app).post('/admin/reset').set(admin).expect(200);
    expect(res.body.messages).toBe(seedWorld().messages.length);
    expect(store.get('messages', 'm_0001')).toBeDefined();
    await request(platform.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect((await request(platform.app).get('/admin/faults').set(admin)).body.faults).toEqual([]);
    await store.flush();
    const image = await crashImage(dir);
    images.push(image);
    expect(image.get('messages', 'm_0001')).toBeDefined();
    expect(image.all('oidc').filter((r) => r.id.startsWith('AccessToken:'))).toEqual([]);
    expect(image.snapshot()).toEqual(store.snapshot());
  });
});

describe('a change made while a reset is being written', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-reset-race-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('When a message is put while the reset writes its new data file, then the put is refused (503) and neither memory nor disk holds it', async () => {
    // The real disk, with the rename of the new data file held until the test lets it go.
    let renaming: () => void = () => undefined;
    const renameStarted = new Promise<void>((resolve) => (renaming = resolve));
    let letGo: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    let hold = false;
    const disk = {
      ...nodeDisk,
      async rename(from: string, to: string) {
        if (hold) {
          renaming();
          await gate;
        }
        return nodeDisk.rename(from, to);
      },
    };
    const dataFile = path.join(dir, 'glasshouse.json');
    const store = await openStore(filePersistence(dataFile, disk), () => seedWorld());
    hold = true;
    const reset = store.reset(seedWorld());
    await renameStarted;
    const message = { id: 'm_during', threadId: 't_alice_bob', senderId: 'p_bob', text: 'during', createdAt: 1 };
    const put = store.put('messages', message);
    letGo();
    await reset;
    await expect(put).rejects.toThrow(StoreWriteError);
    expect(store.get('messages', 'm_during')).toBeUndefined();
    await store.close();
    const reopened = await openFileStore(dataFile);
    expect(reopened.get('messages', 'm_during')).toBeUndefined();
    await reopened.close();
  });
});
