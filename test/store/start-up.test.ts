import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import {
  filePersistence,
  journalPathFor,
  StoreConflictError,
  StoreLoadError,
} from '../../server/src/store/persistence.js';
import { openStore } from '../../server/src/store/store.js';
import { seedWorld } from '../../seed/world.js';
import { faultyDisk } from '../helpers/faulty-disk.js';
import { refusedStart } from '../helpers/platform-process.js';

describe('starting on a data file', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-start-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const refusal = async (file = dataFile) => {
    const error = await openFileStore(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLoadError);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    return (error as Error).message;
  };

  it.each([
    ['JSON null', 'null', /not a Glasshouse data file \(\(root\): /],
    [
      'a duplicate message id',
      JSON.stringify({ ...seedWorld(), messages: [...seedWorld().messages, seedWorld().messages[0]] }),
      /messages: duplicate id "m_0001"/,
    ],
  ])(
    'When the data file holds %s, then the start is refused in one line and the file is untouched',
    async (_what, content, message) => {
      await writeFile(dataFile, content);
      expect(await refusal()).toMatch(message);
      expect(await readFile(dataFile, 'utf8')).toBe(content);
    },
  );

  it('When a journal line has a field of the wrong type, then the start is refused in one line naming file, line and field', async () => {
    await openFileStore(dataFile).then((s) => s.close());
    const good = {
      op: 'put',
      c: 'messages',
      v: { id: 'm_ok', threadId: 't_alice_bob', senderId: 'p_bob', text: 'ok', createdAt: 1 },
    };
    const bad = {
      op: 'put',
      c: 'messages',
      v: { id: 'm_bad', threadId: 't_alice_bob', senderId: 'p_bob', text: 42, createdAt: 1 },
    };
    await writeFile(
      journalPathFor(dataFile),
      `${JSON.stringify(good)}\n${JSON.stringify(bad)}\n${JSON.stringify(good)}\n`,
    );
    expect(await refusal()).toBe(
      `${journalPathFor(dataFile)}:2: invalid journal line (messages m_bad: text: Invalid input: expected string, received number)`,
    );
  });

  it('When the data file has a restricted mode, then the snapshot rewrite keeps it', async () => {
    await openFileStore(dataFile).then((s) => s.close());
    await chmod(dataFile, 0o600);
    const store = await openFileStore(dataFile);
    await store.put('messages', { id: 'm_mode', threadId: 't_alice_bob', senderId: 'p_bob', text: 'x', createdAt: 1 });
    await store.close();
    expect((await stat(dataFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(dataFile, 'utf8')).toContain('m_mode');
  });

  it('When the snapshot is rewritten, then the folder is fsynced after the rename (a power cut cannot lose it)', async () => {
    const faults = faultyDisk();
    const store = await openStore(filePersistence(dataFile, faults.disk), () => seedWorld());
    faults.log.length = 0;
    await store.compact();
    const renamed = faults.log.findIndex((l) => l.startsWith('rename ') && l.endsWith(` ${dataFile}`));
    expect(renamed).toBeGreaterThanOrEqual(0);
    expect(faults.log.slice(renamed + 1)).toContain(`sync ${dir}`);
    await store.close();
  });

  it('When the data file is edited while the platform runs, then compaction refuses to overwrite it and says how to reload; the next start loads the edit and the journal', async () => {
    const store = await openFileStore(dataFile);
    await store.put('messages', {
      id: 'm_during',
      threadId: 't_alice_bob',
      senderId: 'p_bob',
      text: 'during',
      createdAt: 1,
    });
    const edited = JSON.parse(await readFile(dataFile, 'utf8')) as ReturnType<typeof seedWorld>;
    edited.people[0]!.displayName = 'Alice (edited by hand)';
    const text = JSON.stringify(edited, null, 2);
    await writeFile(dataFile, text);
    await expect(store.compact()).rejects.toThrow(StoreConflictError);
    const error = await store.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect((error as Error).message).toMatch(
      /was changed by another program since Glasshouse loaded it; it was not overwritten\. To load your edit, stop Glasshouse and start it again/,
    );
    expect(await readFile(dataFile, 'utf8')).toBe(text);
    const reopened = await openFileStore(dataFile);
    expect(reopened.get('people', edited.people[0]!.id)?.displayName).toBe('Alice (edited by hand)');
    expect(reopened.get('messages', 'm_during')?.text).toBe('during');
    await reopened.close();
  });
});

describe('starting in a read-only data folder', () => {
  let dir: string;
  let mounted = false;
  afterAll(async () => {
    if (mounted) execFileSync('umount', [path.join(dir, 'ro')]);
    await rm(dir, { recursive: true, force: true });
  });

  it('When the data folder cannot be written, then `npm start` prints the usual one "cannot start" line', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-ro-'));
    const ro = path.join(dir, 'ro');
    await mkdir(ro);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro], { stdio: 'ignore' });
      mounted = true; // read-only even for root
    } catch {
      await chmod(ro, 0o555); // not root: permissions are enough
    }
    const { code, output } = await refusedStart(path.join(ro, 'glasshouse.json'));
    expect(code).toBe(1);
    const lines = output
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('oidc-provider WARNING'));
    expect(lines).toEqual([
      expect.stringMatching(
        /^Glasshouse cannot start: .*glasshouse\.json: cannot be opened for writing \((EROFS|EACCES)\)$/,
      ),
    ]);
  }, 30_000);
});
