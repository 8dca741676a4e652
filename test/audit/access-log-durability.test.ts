import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
    const { entries: [entry] } = await writeThenCrash(dataFile, {
      now: 42,
      accesses: [{
        clientId: 'tunewave', ownerId: 'p_alice', action: 'read', scope: 'profile', operation: 'GET /api/v1/me',
        channel: 'api', threadIds: [], messageIds: [], peopleIncluded: ['p_alice'],
      }],
    });
    const reopened = await openFileStore(dataFile); // a real crash: the child was SIGKILLed
    expect(reopened.accessLog()).toEqual([entry]);
    expect(reopened.accessLogOf({ clientId: 'tunewave' })).toEqual([entry]);
    expect(reopened.accessLogOf({ ownerId: 'p_bob' })).toEqual([]);
    await reopened.close();
  });
});
