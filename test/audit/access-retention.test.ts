import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createAccessRecorder, type AccessRecord } from '../../server/src/audit/access-recorder.js';
import { foldOldAccesses } from '../../server/src/audit/access-retention.js';
import { allExposures, personExposure } from '../../server/src/audit/exposure.js';
import { grantUsage } from '../../server/src/audit/granted-vs-used.js';
import { threadNotices } from '../../server/src/audit/thread-notices.js';
import { testConfig } from '../../server/src/config.js';
import { EventBus } from '../../server/src/events.js';
import { FOLD_SOON_EXCESS, startHousekeeping } from '../../server/src/housekeeping.js';
import { filePersistence, journalPathFor, StoreWriteError } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { seedWorld } from '../../seed/world.js';
import { faultyDisk } from '../helpers/faulty-disk.js';
import { until } from '../helpers/platform.js';

const T0 = Date.UTC(2026, 1, 1);
const PEOPLE = ['p_alice', 'p_bob', 'p_carol', 'p_dave', 'p_erin'];
const THREADS = ['g_weekend', 't_alice_bob', 'g_book_club'];

/** A varied access: every reader has something to count. */
function access(i: number): AccessRecord {
  const action = (['read', 'read', 'write', 'delete'] as const)[i % 4]!;
  return {
    clientId: i % 3 === 0 ? 'reelbox' : 'tunewave',
    ownerId: PEOPLE[i % 2]!,
    action,
    scope: action === 'read' ? (i % 5 === 0 ? 'threads:participants' : 'messages:read') : `messages:${action}`,
    operation: 'GET /api/v1/threads/{threadId}/messages',
    channel: i % 2 ? 'socket' : 'api',
    threadIds: [THREADS[i % 3]!],
    messageIds: [`m_${i % 17}`, `m_${(i * 7) % 23}`],
    peopleIncluded: [PEOPLE[i % 5]!, PEOPLE[(i + 2) % 5]!],
  };
}

/** Everything the readers of the access log show. */
function views(store: Store, nowMs: number) {
  return {
    exposures: allExposures(store),
    people: PEOPLE.map((p) => personExposure(store, p)),
    notices: THREADS.map((t) => threadNotices(store, t, nowMs)),
    usage: grantUsage(store),
  };
}

describe('access-log retention and OAuth purge (README "Retention")', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-retention-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function recordMany(store: Store, n: number) {
    let clock = T0;
    const recorder = createAccessRecorder({ store, events: new EventBus(), now: () => (clock += 60_000) });
    for (let i = 0; i < n; i++) await recorder.record(access(i));
    return clock;
  }
  const reopenAfterCrash = async (persistence: { close(): Promise<void> }) => {
    await persistence.close();
    return openStore(filePersistence(dataFile), () => seedWorld());
  };

  it('When raw entries past the window are folded into totals, then the raw log is bounded and exposure, notices and granted-vs-used are unchanged, also after a crash', async () => {
    const persistence = filePersistence(dataFile);
    const store = await openStore(persistence, () => seedWorld());
    await store.put('authorizations', {
      id: 'p_alice~tunewave',
      personId: 'p_alice',
      clientId: 'tunewave',
      scopes: ['messages:read', 'messages:write', 'profile'],
      firstGrantedAt: T0,
      grantedAt: T0,
    });
    const end = await recordMany(store, 300);
    const before = views(store, end);
    expect(await foldOldAccesses(store, { keepEntries: 50, keepMs: 365 * 86_400_000 }, end)).toBe(250);
    expect(store.accessLog()).toHaveLength(50);
    expect(store.accessLog()[0]!.at).toBe(T0 + 251 * 60_000); // the newest 50 are the ones kept
    expect(views(store, end)).toEqual(before);
    const reopened = await reopenAfterCrash(persistence);
    expect(reopened.accessLog()).toHaveLength(50);
    expect(views(reopened, end)).toEqual(before);
    // Entries older than the age limit go too, whatever their number.
    expect(await foldOldAccesses(reopened, { keepEntries: 1_000, keepMs: 10 * 60_000 }, end)).toBe(39); // T0+251…289 min, before end − 10 min
    expect(views(reopened, end)).toEqual(before);
    await reopened.close();
  });

  it('When messages are read, then deleted, fold after fold, then the totals keep only a count of the deleted ones (they grow with the world, not with time) and count each message once', async () => {
    const store = await openStore(filePersistence(dataFile), () => seedWorld());
    let clock = T0;
    const recorder = createAccessRecorder({ store, events: new EventBus(), now: () => (clock += 1_000) });
    const read = (messageId: string) =>
      recorder.record({
        clientId: 'tunewave',
        ownerId: 'p_alice',
        action: 'read',
        scope: 'messages:read',
        operation: 'GET /api/v1/threads/{threadId}/messages',
        channel: 'api',
        threadIds: ['t_alice_bob'],
        messageIds: [messageId],
        peopleIncluded: ['p_alice', 'p_bob'],
      });
    const retention = { keepEntries: 5, keepMs: 365 * 86_400_000 };
    const readCount = () => allExposures(store).find((x) => x.clientId === 'tunewave')!.messagesRead;
    for (let i = 0; i < 200; i++) {
      const id = `m_gone_${i}`;
      await store.put('messages', { id, threadId: 't_alice_bob', senderId: 'p_bob', text: 'x', createdAt: T0 + i });
      await read(id);
      await read(id); // twice: still one message read
      await store.delete('messages', id);
      // A fold before the partner's socket is told of the deletion (late, e.g. a latency fault):
      // the notice has no content, it is not a read, and must not bring the id back to be counted again.
      if (i % 20 === 0) await foldOldAccesses(store, { ...retention, keepEntries: 0 }, clock);
      await recorder.record({
        clientId: 'tunewave',
        ownerId: 'p_alice',
        action: 'read',
        scope: 'messages:read',
        operation: 'socket message:deleted',
        channel: 'socket',
        threadIds: ['t_alice_bob'],
        messageIds: [id],
        peopleIncluded: [],
      });
      if (i % 10 === 9) {
        await foldOldAccesses(store, retention, clock); // some reads of a deleted message stay raw
        expect(readCount()).toBe(i + 1);
      }
    }
    await foldOldAccesses(store, { ...retention, keepEntries: 0 }, clock);
    expect(readCount()).toBe(200);
    for (const id of ['client tunewave', 'grant tunewave p_alice'])
      expect(store.get('accessTotals', id)!.sets['messagesRead'] ?? []).toEqual([]);
    await store.close();
  });

  it('When two folds run at once (the timer and a manual run), then every access is counted once', async () => {
    const store = await openStore(filePersistence(dataFile), () => seedWorld());
    const end = await recordMany(store, 1_500);
    const before = views(store, end);
    const retention = { keepEntries: 100, keepMs: 365 * 86_400_000 };
    const [a, b] = await Promise.all([foldOldAccesses(store, retention, end), foldOldAccesses(store, retention, end)]);
    expect(a + b).toBe(1_400);
    expect(store.accessLog()).toHaveLength(100);
    expect(views(store, end)).toEqual(before);
    await store.close();
  });

  it('When two folds with different windows pick disjoint entries at once, then neither overwrites the totals the other added', async () => {
    const store = await openStore(filePersistence(dataFile), () => seedWorld());
    // 300 recent entries, then 300 whose clock reads earlier (a data file edited by hand, a clock set back):
    // a fold by count takes the first 300, a fold by age the last 300, and both add to the same totals rows.
    let clock = T0 + 86_400_000;
    const recorder = createAccessRecorder({ store, events: new EventBus(), now: () => (clock += 1_000) });
    for (let i = 0; i < 600; i++) {
      if (i === 300) clock = T0;
      await recorder.record(access(i));
    }
    const end = T0 + 2 * 86_400_000;
    const before = views(store, end);
    const byCount = { keepEntries: 300, keepMs: 365 * 86_400_000 };
    const byAge = { keepEntries: 10_000, keepMs: end - (T0 + 3_600_000) };
    const [a, b] = await Promise.all([foldOldAccesses(store, byCount, end), foldOldAccesses(store, byAge, end)]);
    expect(a + b).toBe(300); // one committed; the other saw the totals change and left its batch for the next run
    expect(views(store, end)).toEqual(before);
    expect(await foldOldAccesses(store, { keepEntries: 0, keepMs: 365 * 86_400_000 }, end)).toBe(300);
    expect(store.accessLog()).toHaveLength(0);
    expect(views(store, end)).toEqual(before);
    await store.close();
  });

  it('When the fold cannot be written, then nothing of it applies (totals and deletions are one commit)', async () => {
    const faults = faultyDisk();
    const store = await openStore(filePersistence(dataFile, faults.disk), () => seedWorld());
    const end = await recordMany(store, 40);
    const before = views(store, end);
    faults.failNext('sync', 'EIO');
    await expect(foldOldAccesses(store, { keepEntries: 5, keepMs: 365 * 86_400_000 }, end)).rejects.toBeInstanceOf(
      StoreWriteError,
    );
    expect(store.accessLog()).toHaveLength(40);
    expect(store.all('accessTotals')).toEqual([]);
    expect(views(store, end)).toEqual(before);
    await store.close();
  });

  it('When housekeeping runs on its timer, then 20,000 expired OAuth records are deleted through the journal (gone after a crash) and live ones stay; close() stops it', async () => {
    const persistence = filePersistence(dataFile);
    const store = await openStore(persistence, () => seedWorld());
    // The count: 20,000 expired records used to survive a kill.
    const expired = Array.from({ length: 20_000 }, (_, i) => ({
      id: `AccessToken:old${i}`,
      model: 'AccessToken',
      payload: {},
      expiresAt: Date.now() - 1,
    }));
    await store.commitAll(
      [...expired, { id: 'Session:live', model: 'Session', payload: {}, expiresAt: Date.now() + 3_600_000 }].map(
        (v) => ({ op: 'put', c: 'oidc', v }),
      ),
    );
    const housekeeping = startHousekeeping({
      store,
      config: testConfig({ HOUSEKEEPING_INTERVAL_SECONDS: '0.05' }),
      now: Date.now,
      logger: pino({ level: 'silent' }),
    });
    while (store.get('oidc', 'AccessToken:old0')) await store.flush().then(() => new Promise((r) => setImmediate(r)));
    await housekeeping.close();
    const reopened = await reopenAfterCrash(persistence);
    expect(reopened.all('oidc').map((r) => r.id)).toEqual(['Session:live']);
    await reopened.close();
  });

  it('When accesses come faster than the timer, then a fold starts once the raw log is FOLD_SOON_EXCESS past its bound, without waiting for the timer', async () => {
    const store = await openStore(filePersistence(dataFile), () => seedWorld());
    const events = new EventBus();
    const keep = 50;
    const housekeeping = startHousekeeping({
      store,
      config: testConfig({ HOUSEKEEPING_INTERVAL_SECONDS: '3600', ACCESS_LOG_KEEP_ENTRIES: String(keep) }),
      now: () => T0,
      logger: pino({ level: 'silent' }),
      events,
    });
    const recorder = createAccessRecorder({ store, events, now: () => T0 });
    const before = store.accessLogSize();
    recorder.logMany(Array.from({ length: keep + FOLD_SOON_EXCESS - 1 - before }, (_, i) => access(i)));
    await store.flush();
    await new Promise((r) => setImmediate(r));
    expect(store.accessLogSize()).toBe(keep + FOLD_SOON_EXCESS - 1); // below the trigger: the timer's job
    recorder.log(access(1));
    await until(() => store.accessLogSize() === keep, 5000, 'the fold started by the excess');
    expect(store.all('accessTotals').length).toBeGreaterThan(0);
    await housekeeping.close();
    await store.close();
  });

  it('When the journal passes JOURNAL_COMPACT_BYTES, then it is folded into the snapshot in the background and every acknowledged write survives a crash', async () => {
    const persistence = filePersistence(dataFile);
    const errors: unknown[] = [];
    const store = await openStore(persistence, () => seedWorld(), {
      compactAfterBytes: 8_192,
      onBackgroundError: (e) => errors.push(e),
    });
    const message = (i: number) => ({
      id: `m_c${i}`,
      threadId: 'g_weekend',
      senderId: 'p_erin',
      text: `compact me ${i} ${'x'.repeat(100)}`,
      createdAt: i,
    });
    for (let round = 0; round < 10; round++)
      await Promise.all(Array.from({ length: 30 }, (_, i) => store.put('messages', message(round * 30 + i))));
    await store.flush();
    expect(errors).toEqual([]);
    // 300 writes are ~60 kB: folded several times (each time the journal passed the limit or the snapshot's
    // size, whichever is larger), the journal holds at most that plus what came during the last fold.
    const threshold = Math.max(8_192, (await stat(dataFile)).size);
    expect(store.journalBytes()).toBeLessThan(2 * threshold);
    expect(
      await stat(journalPathFor(dataFile)).then(
        (s) => s.size,
        () => 0,
      ),
    ).toBe(store.journalBytes());
    expect(await readFile(dataFile, 'utf8')).toContain('m_c0');
    const reopened = await reopenAfterCrash(persistence);
    expect(
      Array.from({ length: 300 }, (_, i) => reopened.get('messages', `m_c${i}`)?.text === message(i).text).every(
        Boolean,
      ),
    ).toBe(true);
    await reopened.close();
  });
});
