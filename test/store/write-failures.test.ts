import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { filePersistence, journalPathFor, StoreWriteError } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import type { CollectionName, Row } from '../../server/src/store/schema.js';
import { seedWorld } from '../../seed/world.js';
import { faultyDisk, type FaultyCall } from '../helpers/faulty-disk.js';
import { until } from '../helpers/platform.js';

/** One new row per collection: what a failed write must not leave behind. */
const NEW_ROWS: { [C in CollectionName]: (n: string) => Row<C> } = {
  people: (n) => ({ id: `p_${n}`, username: n, displayName: n, passwordHash: seedWorld().people[0]!.passwordHash }),
  friendships: (n) => ({ id: `p_alice~p_${n}`, personIds: ['p_alice', `p_${n}`], since: 1 }),
  threads: (n) => ({ id: `t_${n}`, kind: 'group', title: n, participantIds: ['p_alice', 'p_bob'], createdAt: 1 }),
  messages: (n) => ({ id: `m_${n}`, threadId: 't_alice_bob', senderId: 'p_alice', text: n, createdAt: 1 }),
  deletedMessages: (n) => ({ id: `m_gone_${n}`, threadId: 't_alice_bob', createdAt: 1 }),
  readMarks: (n) => ({ id: `rm_${n}`, personId: 'p_alice', threadId: 't_alice_bob', readAt: 1 }),
  clients: (n) => ({ id: `c_${n}`, name: n, status: 'active', metadata: {} }),
  oidc: (n) => ({
    id: `AccessToken:${n}`,
    model: 'AccessToken',
    payload: { grantId: n },
    expiresAt: Date.now() + 3_600_000,
  }),
  authorizations: (n) => ({
    id: `p_alice~c_${n}`,
    personId: 'p_alice',
    clientId: `c_${n}`,
    scopes: ['profile'],
    firstGrantedAt: 1,
    grantedAt: 1,
  }),
  accessLog: (n) => ({
    id: `a_${n}`,
    at: 1,
    clientId: 'tunewave',
    ownerId: 'p_alice',
    action: 'read',
    scope: 'profile',
    operation: 'GET /api/v1/me',
    channel: 'api',
    threadIds: [],
    messageIds: [],
    peopleIncluded: ['p_alice'],
    bystanders: [],
    policy: 'broad',
  }),
  accessTotals: (n) => ({
    id: `client c_${n}`,
    kind: 'client',
    clientId: `c_${n}`,
    count: 1,
    lastAt: 1,
    sets: { people: ['p_alice'] },
    sums: {},
  }),
  settings: () => ({ id: 'settings', policy: 'least-privilege' }),
};
const COLLECTIONS = Object.keys(NEW_ROWS) as CollectionName[];
const CASES = COLLECTIONS.flatMap((c) =>
  (['write', 'sync'] as FaultyCall[]).map(
    (call, i) => [c, call, ['ENOSPC', 'EIO', 'EDQUOT', 'EFBIG'][(COLLECTIONS.indexOf(c) + i) % 4]!] as const,
  ),
);

describe('when the disk refuses a write', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-faults-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function open(disk = faultyDisk()) {
    const persistence = filePersistence(dataFile, disk.disk);
    const store = await openStore(persistence, () => seedWorld());
    return { store, persistence, ...disk };
  }
  /** Reopens from the files alone, as after a crash (the first store's persistence is let go, not compacted). */
  async function reopenAfterCrash(persistence: { close(): Promise<void> }): Promise<Store> {
    await persistence.close();
    return openStore(filePersistence(dataFile), () => seedWorld());
  }
  const journalLines = async () =>
    (await readFile(journalPathFor(dataFile), 'utf8').catch(() => '')).split('\n').filter(Boolean);

  it.each(CASES)(
    'When a %s write fails at %s with %s, then every change of the batch rejects, memory is rolled back, and nothing refused reaches the file later',
    async (c, call, code) => {
      const { store, persistence, failNext } = await open();
      const put = <K extends CollectionName>(k: K, row: Row<K>) => store.put(k, row);
      const before = JSON.stringify(store.snapshot());
      failNext(call, code);
      // Two changes in the same tick (one group commit) plus a delete of a seeded row.
      const results = await Promise.allSettled([
        put(c, NEW_ROWS[c]('one')),
        put(c, NEW_ROWS[c]('two')),
        store.delete('messages', 'm_0002'),
      ]);
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(StoreWriteError);
        expect(((r as PromiseRejectedResult).reason as Error & { cause: NodeJS.ErrnoException }).cause.code).toBe(code);
      }
      expect(JSON.stringify(store.snapshot())).toBe(before); // same rows, same order
      // The disk heals: the next write is acknowledged and the journal holds only whole lines.
      await store.put('messages', NEW_ROWS.messages('after'));
      const lines = await journalLines();
      expect(lines.map((l) => JSON.parse(l) as { v?: { id: string } }).map((op) => op.v?.id)).toEqual(['m_after']);
      const reopened = await reopenAfterCrash(persistence);
      expect(reopened.get('messages', 'm_after')).toBeDefined();
      // `settings` has one row: the refused change must leave the seeded one.
      const unchanged = c === 'settings' ? seedWorld().settings[0] : undefined;
      expect(reopened.get(c, NEW_ROWS[c]('one').id)).toEqual(unchanged);
      expect(reopened.get(c, NEW_ROWS[c]('two').id)).toEqual(unchanged);
      expect(reopened.get('messages', 'm_0002')).toBeDefined();
      await reopened.close(); // compaction: the refused rows must not reach the snapshot either
      const snapshot = JSON.parse(await readFile(dataFile, 'utf8')) as Record<string, { id: string }[]>;
      for (const n of ['one', 'two']) expect(snapshot[c]!.find((r) => r.id === NEW_ROWS[c](n).id)).toEqual(unchanged);
      expect(snapshot['messages']!.some((m) => m.id === 'm_after')).toBe(true);
    },
  );

  it('When changes are queued behind a failing batch, then they are refused too and undone newest first', async () => {
    const { store, failNext } = await open();
    const original = store.get('messages', 'm_0001')!;
    failNext('sync', 'EIO');
    const first = store.put('messages', { ...original, text: 'edit 1' });
    await Promise.resolve(); // the first batch is in flight
    const second = store.put('messages', { ...original, text: 'edit 2' });
    const third = store.delete('messages', 'm_0001');
    await expect(first).rejects.toBeInstanceOf(StoreWriteError);
    await expect(second).rejects.toBeInstanceOf(StoreWriteError);
    await expect(third).rejects.toBeInstanceOf(StoreWriteError);
    expect(store.get('messages', 'm_0001')).toEqual(original);
    expect(store.messageIdsIn(original.threadId)).toEqual(
      seedWorld()
        .messages.filter((m) => m.threadId === original.threadId)
        .map((m) => m.id),
    );
    await store.close();
  });

  it('When a delete waits behind a write in flight as a compaction starts, and its append then fails, then the row is back in memory, in its place, and in the snapshot', async () => {
    const { store, persistence, holdSyncs, failNext } = await open();
    const slow = holdSyncs();
    const first = store.put('messages', NEW_ROWS.messages('first'));
    await until(() => slow.waiting() === 1, 5000, 'the first write waiting on its fsync');
    const deleted = store.delete('messages', 'm_0002'); // queued: not durable when the compaction starts
    const again = store.delete('messages', 'm_0002'); // deletes nothing more
    const compaction = store.compact();
    failNext('write', 'EIO', 1, journalPathFor(dataFile, 1)); // the segment appends go to meanwhile
    slow.release();
    await Promise.all([first, compaction]);
    await expect(deleted).rejects.toBeInstanceOf(StoreWriteError);
    await expect(again).rejects.toBeInstanceOf(StoreWriteError);
    const order = [...seedWorld().messages.map((m) => m.id), 'm_first'];
    expect(store.snapshot().messages.map((m) => m.id)).toEqual(order);
    const snapshot = JSON.parse(await readFile(dataFile, 'utf8')) as { messages: { id: string }[] };
    expect(snapshot.messages.map((m) => m.id)).toEqual(order);
    const reopened = await reopenAfterCrash(persistence);
    expect(reopened.get('messages', 'm_0002')).toBeDefined();
    await reopened.close();
  });

  it('When the same row is deleted twice in a batch that is refused, then memory is as before: same rows, same order', async () => {
    const { store, persistence, failNext } = await open();
    const before = store.all('messages').map((m) => m.id);
    failNext('sync', 'EIO');
    const results = await Promise.allSettled([store.delete('messages', 'm_0002'), store.delete('messages', 'm_0002')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(store.all('messages').map((m) => m.id)).toEqual(before);
    const reopened = await reopenAfterCrash(persistence);
    expect(reopened.all('messages').map((m) => m.id)).toEqual(before);
    await reopened.close();
  });

  it('When a refused delete puts a row back, then the indexes kept in table order have it in its place too (a provider session stays the oldest)', async () => {
    const { store, persistence, failNext } = await open();
    const session = (n: number) => ({
      id: `Session:s${n}`,
      model: 'Session',
      payload: { accountId: 'p_alice' },
      expiresAt: Date.now() + 3_600_000,
    });
    for (const n of [1, 2, 3]) await store.put('oidc', session(n));
    failNext('sync', 'EIO');
    await expect(store.delete('oidc', 'Session:s1')).rejects.toBeInstanceOf(StoreWriteError);
    const oldestFirst = ['Session:s1', 'Session:s2', 'Session:s3'];
    expect(store.oidcFind('session-of:p_alice').map((r) => r.id)).toEqual(oldestFirst);
    // A refused replace that moved the row to another key (a sign-in) puts it back in its place too.
    failNext('sync', 'EIO');
    const signedIn = { ...session(1), payload: { accountId: 'p_bob' } };
    await expect(store.put('oidc', signedIn)).rejects.toBeInstanceOf(StoreWriteError);
    expect(store.oidcFind('session-of:p_alice').map((r) => r.id)).toEqual(oldestFirst);
    const reopened = await reopenAfterCrash(persistence);
    expect(reopened.oidcFind('session-of:p_alice').map((r) => r.id)).toEqual(oldestFirst);
    await reopened.close();
  });

  it('When an append leaves a torn line and the truncation fails too, then nothing is appended after it until it is truncated, and every later start succeeds', async () => {
    const { store, persistence, failNext } = await open();
    await store.put('messages', NEW_ROWS.messages('kept'));
    failNext('write', 'ENOSPC'); // half a line reaches the file
    failNext('truncate', 'EIO', 2); // the immediate truncation and the retry before the next append both fail
    await expect(store.put('messages', NEW_ROWS.messages('torn'))).rejects.toBeInstanceOf(StoreWriteError);
    const tornSize = (await stat(journalPathFor(dataFile))).size;
    await expect(store.put('messages', NEW_ROWS.messages('refused'))).rejects.toBeInstanceOf(StoreWriteError);
    expect((await stat(journalPathFor(dataFile))).size).toBe(tornSize); // nothing appended after the torn line
    await store.put('messages', NEW_ROWS.messages('later')); // truncation works again, then the append
    expect((await journalLines()).map((l) => (JSON.parse(l) as { v: { id: string } }).v.id)).toEqual([
      'm_kept',
      'm_later',
    ]);
    const reopened = await reopenAfterCrash(persistence);
    expect(
      ['m_kept', 'm_torn', 'm_refused', 'm_later'].map((id) => reopened.get('messages', id) !== undefined),
    ).toEqual([true, false, false, true]);
    await reopened.close();
  });

  it.each(['write', 'sync', 'rename'] as FaultyCall[])(
    'When a compaction fails at %s, then it rejects, the old snapshot and the journal stay, and no acknowledged write is lost',
    async (call) => {
      const { store, persistence, failNext } = await open();
      const snapshotBefore = await readFile(dataFile, 'utf8');
      await store.put('messages', NEW_ROWS.messages('before'));
      // Whichever comes first fails: the compaction's temporary file or the append made meanwhile.
      failNext(call, 'ENOSPC');
      const compaction = store.compact();
      const during = store.put('messages', NEW_ROWS.messages('during'));
      const outcomes = await Promise.allSettled([compaction, during]);
      expect(outcomes.some((o) => o.status === 'rejected')).toBe(true);
      if (call === 'rename') expect(await readFile(dataFile, 'utf8')).toBe(snapshotBefore);
      const acknowledged = outcomes[1]!.status === 'fulfilled';
      const reopened = await reopenAfterCrash(persistence);
      expect(reopened.get('messages', 'm_before')).toBeDefined();
      expect(reopened.get('messages', 'm_during') !== undefined).toBe(acknowledged);
      await reopened.close();
    },
  );

  it('When a compaction runs in the background, then writes go on meanwhile and all of them survive a crash', async () => {
    const { store, persistence } = await open();
    const writes = Array.from({ length: 40 }, (_, i) => store.put('messages', NEW_ROWS.messages(`bg${i}`)));
    const compaction = store.compact();
    writes.push(...Array.from({ length: 40 }, (_, i) => store.put('messages', NEW_ROWS.messages(`bg${40 + i}`))));
    await Promise.all([...writes, compaction]);
    const reopened = await reopenAfterCrash(persistence);
    expect(
      Array.from({ length: 80 }, (_, i) => reopened.get('messages', `m_bg${i}`) !== undefined).every(Boolean),
    ).toBe(true);
    await reopened.close();
  });
});
