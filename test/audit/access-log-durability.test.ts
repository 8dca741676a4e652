import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAccessRecorder } from '../../server/src/audit/access-recorder.js';
import { EventBus } from '../../server/src/events.js';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import { writeThenCrash } from '../helpers/crash.js';

describe('access log durability', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-audit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('When an access is recorded, then it survives a crash (reopen from snapshot + journal) and stays indexed', async () => {
    const dataFile = path.join(dir, 'glasshouse.json');
    const {
      entries: [entry],
    } = await writeThenCrash(dataFile, {
      now: 42,
      accesses: [
        {
          clientId: 'tunewave',
          ownerId: 'p_alice',
          action: 'read',
          scope: 'profile',
          operation: 'GET /api/v1/me',
          channel: 'api',
          threadIds: [],
          messageIds: [],
          peopleIncluded: ['p_alice'],
        },
      ],
    });
    const reopened = await openFileStore(dataFile); // a real crash: the child was SIGKILLed
    expect(reopened.accessLog()).toEqual([entry]);
    await reopened.close();
  });

  it('When accesses are logged without waiting, then they are in the log at once, in order, and durable after the group commit', async () => {
    const dataFile = path.join(dir, 'unawaited.json');
    const store = await openFileStore(dataFile);
    const audit = createAccessRecorder({ store, events: new EventBus(), now: () => 42 });
    const read = (ownerId: string) => ({
      clientId: 'tunewave',
      ownerId,
      action: 'read' as const,
      scope: 'profile',
      operation: 'GET /api/v1/me',
      channel: 'api' as const,
      threadIds: [],
      messageIds: [],
      peopleIncluded: [ownerId],
    });
    const one = audit.log(read('p_alice'));
    const batch = audit.logMany([read('p_bob'), read('p_carol')]);
    expect(store.accessLog()).toEqual([one, ...batch]);
    await store.flush();
    // On disk (the journal beside the data file) before any compaction: durable, not just in memory.
    const onDisk = (
      await Promise.all(
        (await readdir(dir))
          .filter((f) => f.startsWith('unawaited'))
          .map((f) => readFile(path.join(dir, f), 'utf8').catch(() => '')),
      )
    ).join('');
    for (const entry of [one, ...batch]) expect(onDisk).toContain(entry.id);
    await store.close();
  });
});
