import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testConfig } from '../../server/src/config.js';
import { createPlatform, type Platform } from '../../server/src/platform.js';
import { filePersistence } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { seedWorld } from '../../seed/world.js';
import { ALL_SCOPES, tokenFor } from '../helpers/api.js';
import { faultyDisk } from '../helpers/faulty-disk.js';
import type { RunningPlatform } from '../helpers/platform.js';

/** API writes made of more than one store commit, with the second commit refused. */
describe('when the disk refuses the second write of an API write', () => {
  let dir: string;
  let store: Store;
  let platform: Platform;
  let token: string;
  const faults = faultyDisk();
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-api-steps-'));
    store = await openStore(filePersistence(path.join(dir, 'glasshouse.json'), faults.disk), () => seedWorld());
    platform = createPlatform({ config: testConfig(), store });
    token = await tokenFor({ platform, store } as RunningPlatform, 'alice', ALL_SCOPES);
  });
  afterAll(async () => {
    faults.heal();
    await platform.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

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
