import { mkdtemp, readFile, rm, writeFile, appendFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { filePersistence, journalPathFor, StoreLoadError } from '../../server/src/store/persistence.js';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import { seedWorld } from '../../seed/world.js';
import { writeThenCrash } from '../helpers/crash.js';

describe('the file store', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-store-'));
    dataFile = path.join(dir, 'data', 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('When the data file is missing, then it is created from the seed as readable JSON', async () => {
    const store = await openFileStore(dataFile);
    await store.close();
    const text = await readFile(dataFile, 'utf8');
    expect(text).toContain('\n  "people": [');
    expect(JSON.parse(text)).toEqual(seedWorld());
  });

  it('When a write is acknowledged, then it is on disk and survives a reopen (round trip)', async () => {
    const msg = { id: 'm_roundtrip', threadId: 't_alice_bob', senderId: 'p_alice', text: 'hello', createdAt: 1 };
    await writeThenCrash(dataFile, { ops: [{ op: 'put', c: 'messages', v: msg }] }); // SIGKILL: no close, no compaction
    expect(await readFile(journalPathFor(dataFile), 'utf8')).toContain('m_roundtrip');
    const reopened = await openFileStore(dataFile);
    expect(reopened.get('messages', 'm_roundtrip')).toEqual(msg);
    await reopened.delete('messages', 'm_roundtrip');
    await reopened.close();
    const third = await openFileStore(dataFile);
    expect(third.get('messages', 'm_roundtrip')).toBeUndefined();
    expect(third.messageIdsIn('t_alice_bob')).toEqual(
      seedWorld()
        .messages.filter((m) => m.threadId === 't_alice_bob')
        .map((m) => m.id),
    );
    await third.close();
  });

  it('When the journal ends with a torn line (crash mid-append), then the complete lines are kept', async () => {
    await writeThenCrash(dataFile, {
      ops: [
        {
          op: 'put',
          c: 'messages',
          v: { id: 'm_kept', threadId: 't_alice_bob', senderId: 'p_bob', text: 'kept', createdAt: 2 },
        },
      ],
    });
    await appendFile(journalPathFor(dataFile), '{"op":"put","c":"messages","v":{"id":"m_to');
    const reopened = await openFileStore(dataFile);
    expect(reopened.get('messages', 'm_kept')?.text).toBe('kept');
    await reopened.close();
  });

  it.each([
    ['not JSON', '{"people": [', /cannot be read as JSON/],
    ['JSON of another shape', JSON.stringify({ hello: 'world' }), /not a Glasshouse data file/],
    ['a person without a username', JSON.stringify({ ...seedWorld(), people: [{ id: 'p_x' }] }), /people\.0\.username/],
  ])(
    'When the data file holds %s, then the start is refused naming the file, and the file is untouched',
    async (_what, content, message) => {
      await openFileStore(dataFile).then((s) => s.close());
      await writeFile(dataFile, content);
      const before = await stat(dataFile);
      const error = await openFileStore(dataFile).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLoadError);
      expect((error as Error).message).toContain(dataFile);
      expect((error as Error).message).toMatch(message);
      expect(await readFile(dataFile, 'utf8')).toBe(content);
      expect((await stat(dataFile)).mtimeMs).toBe(before.mtimeMs);
    },
  );

  it('When a journal line in the middle is corrupt, then the start is refused naming the line', async () => {
    await writeThenCrash(dataFile, {
      ops: [
        {
          op: 'put',
          c: 'messages',
          v: { id: 'm_a', threadId: 't_alice_bob', senderId: 'p_bob', text: 'a', createdAt: 3 },
        },
      ],
    });
    await appendFile(journalPathFor(dataFile), 'garbage\n{"op":"del","c":"messages","id":"m_a"}\n');
    await expect(openFileStore(dataFile)).rejects.toThrow(/journal\.jsonl:2: invalid journal line/);
  });

  it('When a second process opens the same data file, then it is refused and nothing is rewritten; after the first closes, it opens', async () => {
    const first = await openFileStore(dataFile);
    await first.put('messages', {
      id: 'm_first',
      threadId: 't_alice_bob',
      senderId: 'p_alice',
      text: 'first',
      createdAt: 5,
    });
    const before = await readFile(dataFile, 'utf8');
    const journalBefore = await readFile(journalPathFor(dataFile), 'utf8');
    const error = await openFileStore(dataFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLoadError);
    expect((error as Error).message).toMatch(/already in use by another Glasshouse process/);
    expect(await readFile(dataFile, 'utf8')).toBe(before);
    expect(await readFile(journalPathFor(dataFile), 'utf8')).toBe(journalBefore);
    await first.close();
    const second = await openFileStore(dataFile);
    expect(second.get('messages', 'm_first')?.text).toBe('first');
    await second.close();
  });

  it('When a store is reset, then it holds the given world and the journal is empty', async () => {
    const store = await openFileStore(dataFile);
    await store.put('messages', { id: 'm_gone', threadId: 't_alice_bob', senderId: 'p_bob', text: 'x', createdAt: 4 });
    await store.reset(seedWorld());
    expect(store.get('messages', 'm_gone')).toBeUndefined();
    expect(await readFile(journalPathFor(dataFile), 'utf8').catch(() => '')).toBe('');
    await store.close();
    expect(JSON.parse(await readFile(dataFile, 'utf8'))).toEqual(seedWorld());
  });

  it('When many writes are made at once, then they all reach the journal in order', async () => {
    const persistence = filePersistence(dataFile);
    const { openStore } = await import('../../server/src/store/store.js');
    const store = await openStore(persistence, () => seedWorld());
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.put('messages', {
          id: `m_bulk_${i}`,
          threadId: 'g_weekend',
          senderId: 'p_erin',
          text: `n${i}`,
          createdAt: 10 + i,
        }),
      ),
    );
    const lines = (await readFile(journalPathFor(dataFile), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(50);
    expect(JSON.parse(lines[49]!).v.id).toBe('m_bulk_49');
    await store.close();
  });
});
