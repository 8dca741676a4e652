import { mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { filePersistence, journalPathFor } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { collectionNames, type Message, type World } from '../../server/src/store/schema.js';
import { seedWorld } from '../../seed/world.js';
import { faultyDisk } from '../helpers/faulty-disk.js';

/** A message of the seeded thread between alice and bob. */
const message = (id: string, text = `${id} ${'x'.repeat(100)}`): Message => ({
  id,
  threadId: 't_alice_bob',
  senderId: 'p_alice',
  text,
  createdAt: 1_700_000_000_000,
});

/** The seed plus `n` messages (`m_big_0`…): a world whose snapshot is several MB. */
function bigWorld(n: number): World {
  const world = seedWorld();
  for (let i = 0; i < n; i++) world.messages.push(message(`m_big_${i}`));
  return world;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('background compaction of a large store (README "Data and storage")', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-compaction-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function open(world: World, compactAfterBytes?: number) {
    const persistence = filePersistence(dataFile);
    const store = await openStore(persistence, () => world, compactAfterBytes ? { compactAfterBytes } : {});
    return { store, persistence };
  }
  /** Reopens from the files alone, as after a crash (no compaction at close). */
  async function reopenAfterCrash(persistence: { close(): Promise<void> }): Promise<Store> {
    await persistence.close();
    return openStore(filePersistence(dataFile), () => seedWorld());
  }
  /** Starts a compaction; `finished()` says whether it is over. `onTurn` is called at every event-loop turn meanwhile. */
  async function startCompaction(store: Store, onTurn: () => void = () => undefined) {
    let finished = false;
    const done = store.compact().then(() => void (finished = true));
    const turn = () => {
      if (finished) return;
      onTurn();
      setImmediate(turn);
    };
    setImmediate(turn);
    await nextTurn(); // the compaction has started: the journal is rotated, the snapshot is being written
    return { done, finished: () => finished };
  }

  it('When a write comes while a 50,000-message snapshot is being written, then it is durable and acknowledged before the compaction finishes, and the event loop turns many times while the rows are serialized', async () => {
    const world = bigWorld(50_000);
    // A thread and a client, written before and after the messages (rows kept as given, unlike a
    // message: compactMessage), record the event-loop turn at which the snapshot serializes them.
    const serializedAt = new Map<string, number>();
    let turns = 0;
    const traced = <T extends { id: string }>(row: T): T => ({
      ...row,
      toJSON: () => (serializedAt.set(row.id, turns), row),
    });
    const first = (world.threads[0] = traced(world.threads[0]!));
    const last = (world.clients[0] = traced(world.clients[0]!));
    const { store, persistence } = await open(world);
    serializedAt.clear(); // written once at start already
    const compaction = await startCompaction(store, () => turns++);
    await store.put('messages', message('m_during'));
    expect(compaction.finished()).toBe(false);
    // Durable: in the journal segment the compaction opened (renamed back to the plain name once it ends).
    const journal = await readFile(journalPathFor(dataFile, 1), 'utf8').catch(() =>
      readFile(journalPathFor(dataFile), 'utf8'),
    );
    expect(journal).toContain('"m_during"');
    await compaction.done;
    // Serialized in slices with turns of the event loop between them (one long pause would be 0 turns).
    expect(serializedAt.get(last.id)! - serializedAt.get(first.id)!).toBeGreaterThan(50);
    await persistence.close(); // lets go of the lock; restarts are the next test's subject
  }, 30_000);

  it('When rows are added, replaced and deleted during a compaction, then the snapshot is the durable state when it started, and after a restart every row is there exactly once', async () => {
    const world = bigWorld(20_000);
    const { store, persistence } = await open(world);
    const expected = JSON.parse(JSON.stringify(world)) as World; // what is durable when the compaction starts
    const compaction = await startCompaction(store);
    const during = Array.from({ length: 20 }, (_, i) => message(`m_during_${i}`));
    await Promise.all([
      ...during.map((m) => store.put('messages', m)),
      store.put('messages', message('m_big_0', 'replaced during the compaction')),
      store.delete('messages', 'm_big_1'),
    ]);
    await compaction.done;

    const snapshot = JSON.parse(await readFile(dataFile, 'utf8')) as World;
    expect(snapshot.format).toBe('glasshouse/1');
    for (const c of collectionNames) expect(JSON.stringify(snapshot[c])).toBe(JSON.stringify(expected[c]));

    const reopened = await reopenAfterCrash(persistence);
    const ids = reopened.all('messages').map((m) => m.id);
    expect(ids.length).toBe(expected.messages.length + during.length - 1);
    expect(during.every((m) => reopened.get('messages', m.id)?.text === m.text)).toBe(true);
    expect(reopened.get('messages', 'm_big_0')?.text).toBe('replaced during the compaction');
    expect(reopened.get('messages', 'm_big_1')).toBeUndefined();
    await reopened.close(); // folds the journal again: each id once in the file
    const folded = (JSON.parse(await readFile(dataFile, 'utf8')) as World).messages.map((m) => m.id);
    expect(new Set(folded).size).toBe(folded.length);
    expect(folded.length).toBe(ids.length);
  }, 30_000);

  it('When the snapshot is larger than JOURNAL_COMPACT_BYTES, then the journal is folded only once it reaches the snapshot size', async () => {
    const floor = 4_096;
    const world = seedWorld();
    for (let i = 0; i < 400; i++) world.messages.push(message(`m_old_${i}`, 'y'.repeat(300)));
    const { store, persistence } = await open(world, floor);
    const before = await stat(dataFile);
    expect(before.size).toBeGreaterThan(20 * floor);
    expect(persistence.snapshotBytes()).toBe(before.size);
    let passedFloor = false;
    let journaled = 0;
    let lastLine: number;
    let n = 0;
    for (;;) {
      const rows = Array.from({ length: 10 }, () => message(`m_new_${n++}`, 'z'.repeat(300)));
      lastLine = Buffer.byteLength(
        JSON.stringify({ op: 'all', ops: rows.map((v) => ({ op: 'put', c: 'messages', v })) }) + '\n',
      );
      await store.putMany('messages', rows);
      if (store.journalBytes() < journaled) break; // rotated: this write started a compaction
      journaled = store.journalBytes();
      // Not yet folded: still the same file (a compaction renames a new one over it).
      expect((await stat(dataFile)).ino).toBe(before.ino);
      if (journaled > floor) passedFloor = true;
    }
    expect(passedFloor).toBe(true);
    // The write that started it is the one that took the journal to the snapshot's size.
    expect(journaled).toBeLessThan(before.size);
    expect(journaled + lastLine).toBeGreaterThanOrEqual(before.size);
    await store.flush(); // the compaction the last write started
    expect((await stat(dataFile)).ino).not.toBe(before.ino);
    expect(store.journalBytes()).toBe(0);
    const after = await stat(dataFile);
    expect(persistence.snapshotBytes()).toBe(after.size); // the next threshold
    expect(after.size).toBeGreaterThan(before.size);
    const reopened = await reopenAfterCrash(persistence);
    expect(reopened.all('messages').length).toBe(world.messages.length + n);
    await reopened.close();
  });
});

describe('a compaction whose folder fsync fails after the rename', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'glasshouse-compaction-sync-')));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('When the fsync of the folder fails just after the rename, then that compaction is refused and the next one goes through (the new file is not taken for an edit by another program)', async () => {
    const dataFile = path.join(dir, 'glasshouse.json');
    const faults = faultyDisk();
    const store = await openStore(filePersistence(dataFile, faults.disk), () => seedWorld());
    await store.put('messages', message('m_before'));
    faults.failNext('sync', 'EIO', 1, dir);
    await expect(store.compact()).rejects.toThrow(/EIO/);
    await store.put('messages', message('m_after'));
    await store.compact();
    await store.close();
    const reopened = await openStore(filePersistence(dataFile), () => seedWorld());
    expect(reopened.get('messages', 'm_before')).toBeDefined();
    expect(reopened.get('messages', 'm_after')).toBeDefined();
    await reopened.close();
  });
});
