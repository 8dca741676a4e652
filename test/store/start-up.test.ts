import { execFileSync } from 'node:child_process';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
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
import { outputLines, refusedStart } from '../helpers/platform-process.js';

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
      'a byte order mark before pretty-printed JSON',
      `\ufeff${JSON.stringify(seedWorld(), null, 2)}`,
      /cannot be read as JSON/,
    ],
    [
      'a duplicate message id',
      JSON.stringify({ ...seedWorld(), messages: [...seedWorld().messages, seedWorld().messages[0]] }),
      /messages: duplicate id "m_0001"/,
    ],
    ...[
      'scrypt$3$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==', // N not a power of 2: scrypt throws at login
      'scrypt$16384$8$1$c2FsdA==$aGFzaA==', // a 4-byte hash
      'scrypt$1048576$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==', // 1 GiB per check
      'plain-text-password',
    ].map((passwordHash): [string, string, RegExp] => [
      `a password hash scrypt cannot check (${passwordHash})`,
      JSON.stringify({
        ...seedWorld(),
        people: [{ ...seedWorld().people[0]!, passwordHash }, ...seedWorld().people.slice(1)],
      }),
      /people\.0\.passwordHash: not a scrypt hash/,
    ]),
    [
      'two people whose usernames differ only in case',
      JSON.stringify({
        ...seedWorld(),
        people: [...seedWorld().people, { ...seedWorld().people[0]!, id: 'p_x', username: 'Alice' }],
      }),
      /people p_x: username "Alice" is also p_alice's; usernames are the same whatever their case and the spaces around them/,
    ],
    ...[1e300, -1, 1767615780000.5].map((createdAt): [string, string, RegExp] => [
      `a message created at ${createdAt} (not whole ms within a Date)`,
      JSON.stringify({ ...seedWorld(), messages: [{ ...seedWorld().messages[0]!, createdAt }] }),
      /messages\.0\.createdAt/,
    ]),
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

  it('When a journal line leaves out a required field, then the start is refused naming it as required', async () => {
    await openFileStore(dataFile).then((s) => s.close());
    const missing = {
      op: 'put',
      c: 'messages',
      v: { id: 'm_bad', threadId: 't_alice_bob', senderId: 'p_bob', createdAt: 1 },
    };
    await writeFile(journalPathFor(dataFile), `${JSON.stringify(missing)}\n`);
    expect(await refusal()).toBe(
      `${journalPathFor(dataFile)}:1: invalid journal line (messages m_bad: text: Required (string))`,
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
    const lines = outputLines(output);
    expect(lines).toEqual([
      expect.stringMatching(
        /^Glasshouse cannot start: .*glasshouse\.json: cannot be opened for writing \((EROFS|EACCES)\)$/,
      ),
    ]);
  }, 30_000);
});

describe('starting on a data file whose rows refer to rows that do not exist', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-references-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  type World = ReturnType<typeof seedWorld>;
  const message = { id: 'm_x', threadId: 't_alice_bob', senderId: 'p_bob', text: 'x', createdAt: 1 };
  it.each<[string, (w: World) => void, string]>([
    [
      'a group thread with an unknown participant',
      (w) => w.threads.find((t) => t.id === 'g_weekend')!.participantIds.push('p_ghost'),
      'threads g_weekend: participantIds has "p_ghost", not in people',
    ],
    [
      'a message from an unknown sender',
      (w) => w.messages.push({ ...message, senderId: 'p_ghost' }),
      'messages m_x: senderId has "p_ghost", not in people',
    ],
    [
      'a message in an unknown thread',
      (w) => w.messages.push({ ...message, threadId: 't_nope' }),
      'messages m_x: threadId has "t_nope", not in threads',
    ],
    [
      'a friendship between unknown people',
      (w) => w.friendships.push({ id: 'p_ghost~p_ghost2', personIds: ['p_ghost', 'p_ghost2'], since: 1 }),
      'friendships p_ghost~p_ghost2: personIds has "p_ghost", not in people',
    ],
    [
      'a read mark of an unknown thread',
      (w) => w.readMarks.push({ id: 'p_alice~t_nope', personId: 'p_alice', threadId: 't_nope', readAt: 1 }),
      'readMarks p_alice~t_nope: threadId has "t_nope", not in threads',
    ],
    [
      'an authorization of an unknown person',
      (w) =>
        w.authorizations.push({
          id: 'p_ghost~tunewave',
          personId: 'p_ghost',
          clientId: 'tunewave',
          scopes: ['profile'],
          firstGrantedAt: 1,
          grantedAt: 1,
        }),
      'authorizations p_ghost~tunewave: personId has "p_ghost", not in people',
    ],
    [
      'a message whose stamped id says another time than its createdAt',
      (w) => w.messages.push({ ...message, id: 'm_0000000010000_deadbeef', createdAt: 1_767_615_780_000 }),
      'messages m_0000000010000_deadbeef: its id says created at 1, createdAt is 1767615780000',
    ],
    [
      'a friendship filed under another id than its two people sorted',
      (w) => w.friendships.push({ id: 'p_dave~p_alice', personIds: ['p_dave', 'p_alice'], since: 1 }),
      'friendships p_dave~p_alice: id must be "p_alice~p_dave" (derived from its fields)',
    ],
    [
      'a read mark filed under another id',
      (w) => w.readMarks.push({ id: 'mark-1', personId: 'p_alice', threadId: 'g_weekend', readAt: 1 }),
      'readMarks mark-1: id must be "g_weekend~p_alice" (derived from its fields)',
    ],
    [
      'an authorization filed under another id',
      (w) =>
        w.authorizations.push({
          id: 'tunewave~p_alice',
          personId: 'p_alice',
          clientId: 'tunewave',
          scopes: ['profile'],
          firstGrantedAt: 1,
          grantedAt: 1,
        }),
      'authorizations tunewave~p_alice: id must be "p_alice~tunewave" (derived from its fields)',
    ],
    [
      "a deleted message's key in an unknown thread",
      (w) => w.deletedMessages.push({ id: 'm_gone', threadId: 't_nope', createdAt: 1 }),
      'deletedMessages m_gone: threadId has "t_nope", not in threads',
    ],
    [
      "a deleted message's key for a message still stored",
      (w) => w.deletedMessages.push({ id: 'm_0001', threadId: 't_alice_bob', createdAt: 1 }),
      'deletedMessages m_0001: the message is stored, not deleted',
    ],
    [
      "a deleted message's key for a stamped id",
      (w) => w.deletedMessages.push({ id: 'm_0mx2sj81q0000_deadbeef', threadId: 't_alice_bob', createdAt: 1 }),
      'deletedMessages m_0mx2sj81q0000_deadbeef: a stamped id carries its own key',
    ],
  ])(
    'When the data file holds %s, then the start is refused in one line naming the file, the row and the reference, and the file is untouched',
    async (_what, spoil, problem) => {
      const world = seedWorld();
      spoil(world);
      const text = JSON.stringify(world);
      await writeFile(dataFile, text);
      const error = await openFileStore(dataFile).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLoadError);
      expect((error as Error).message).toBe(`${dataFile}: not a Glasshouse data file (${problem})`);
      expect(await readFile(dataFile, 'utf8')).toBe(text);
    },
  );

  const alice = seedWorld().people.find((p) => p.id === 'p_alice')!;
  it.each<[string, object, string]>([
    [
      'puts a message in an unknown thread',
      { op: 'put', c: 'messages', v: { ...message, threadId: 't_nope' } },
      'messages m_x: threadId has "t_nope", not in threads',
    ],
    [
      "adds a person whose username is another's but for case",
      { op: 'put', c: 'people', v: { ...alice, id: 'p_zed', username: 'ALICE', displayName: 'Z' } },
      `people p_zed: username "ALICE" is also p_alice's; usernames are the same whatever their case and the spaces around them`,
    ],
    [
      "adds a person whose username is another's but for spaces around it",
      { op: 'put', c: 'people', v: { ...alice, id: 'p_zed', username: ' alice ', displayName: 'Z' } },
      `people p_zed: username " alice " is also p_alice's; usernames are the same whatever their case and the spaces around them`,
    ],
    [
      "renames a person to another's username but for case",
      { op: 'put', c: 'people', v: { ...seedWorld().people.find((p) => p.id === 'p_bob')!, username: 'Alice' } },
      `people p_bob: username "Alice" is also p_alice's; usernames are the same whatever their case and the spaces around them`,
    ],
    [
      'files a friendship under another id than its two people sorted',
      { op: 'put', c: 'friendships', v: { id: 'p_dave~p_alice', personIds: ['p_dave', 'p_alice'], since: 1 } },
      'friendships p_dave~p_alice: id must be "p_alice~p_dave" (derived from its fields)',
    ],
    [
      'deletes a person who still has messages',
      { op: 'del', c: 'people', id: 'p_bob' },
      'threads t_alice_bob: participantIds has "p_bob", not in people',
    ],
  ])(
    'When a journal line %s, then every start is refused in one line naming the journal and the problem, and nothing is written',
    async (_what, change, problem) => {
      await openFileStore(dataFile).then((s) => s.close());
      const snapshot = await readFile(dataFile, 'utf8');
      const line = `${JSON.stringify(change)}\n`;
      await writeFile(journalPathFor(dataFile), line);
      for (const _start of [1, 2]) {
        const error = await openFileStore(dataFile).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreLoadError);
        expect((error as Error).message).toBe(
          `${dataFile} (+ glasshouse.journal.jsonl): the journal, replayed on the data file, leaves an invalid world (${problem})`,
        );
        expect(await readFile(journalPathFor(dataFile), 'utf8')).toBe(line);
        expect(await readFile(dataFile, 'utf8')).toBe(snapshot);
      }
    },
  );

  it('When the history names what is gone (an access-log entry of a deleted message, an authorization and a message of a removed client), then the data file loads', async () => {
    const world = seedWorld();
    world.messages = world.messages.filter((m) => m.id !== 'm_0001');
    world.messages.push({ ...message, via: 'c_removed' });
    world.authorizations.push({
      id: 'p_alice~c_removed',
      personId: 'p_alice',
      clientId: 'c_removed',
      scopes: [],
      firstGrantedAt: 1,
      grantedAt: 1,
      revokedAt: 2,
    });
    world.accessLog.push({
      id: 'a_1',
      at: 1,
      clientId: 'c_removed',
      ownerId: 'p_alice',
      action: 'read',
      scope: 'messages:read',
      operation: 'GET /api/v1/threads/{threadId}/messages',
      channel: 'api',
      threadIds: ['t_alice_bob'],
      messageIds: ['m_0001'],
      peopleIncluded: ['p_alice', 'p_bob'],
      bystanders: ['p_bob'],
      policy: 'broad',
    });
    await writeFile(dataFile, JSON.stringify(world));
    const store = await openFileStore(dataFile);
    expect(store.get('messages', 'm_x')?.via).toBe('c_removed');
    await store.close();
  });
});

describe('starting where files are not what they seem', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'glasshouse-odd-files-')));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('When the journal is there without its data file, then the start is refused naming the journal, and nothing is deleted or seeded', async () => {
    const line = `${JSON.stringify({ op: 'put', c: 'settings', v: { id: 'settings', policy: 'least-privilege' } })}\n`;
    await writeFile(journalPathFor(dataFile), line);
    const error = await openFileStore(dataFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLoadError);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect((error as Error).message).toContain(
      `${dataFile}: missing, but its journal is there (${journalPathFor(dataFile)})`,
    );
    expect(await readdir(dir)).toEqual([path.basename(journalPathFor(dataFile))]);
    expect(await readFile(journalPathFor(dataFile), 'utf8')).toBe(line);
  });

  it('When a start is refused (an empty data file), then the lock is let go: once the file is mended, the same process opens it', async () => {
    await writeFile(dataFile, '');
    await expect(openFileStore(dataFile)).rejects.toThrow(/cannot be read as JSON/);
    expect(await readdir(dir)).toEqual(['glasshouse.json']);
    await writeFile(dataFile, JSON.stringify(seedWorld()));
    const store = await openFileStore(dataFile);
    await store.close();
  });

  it('When the lock cannot be made durable (the folder fsync fails), then the start is refused and the lock is not kept', async () => {
    const faults = faultyDisk();
    faults.failNext('sync', 'EIO', 1, dir);
    await expect(openStore(filePersistence(dataFile, faults.disk), () => seedWorld())).rejects.toThrow(StoreLoadError);
    expect(await readdir(dir)).toEqual([]);
    const store = await openFileStore(dataFile);
    await store.close();
  });

  it('When the lock file is a folder, then the start is refused in one line and the folder is left as it is', async () => {
    await writeFile(dataFile, JSON.stringify(seedWorld()));
    await mkdir(`${dataFile}.lock`);
    await writeFile(path.join(`${dataFile}.lock`, 'owner'), 'someone');
    const error = await openFileStore(dataFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLoadError);
    expect((error as Error).message).toBe(
      `${dataFile}.lock: a folder, not a Glasshouse lock file; left as it is. If nothing else uses the data file, remove the folder`,
    );
    expect(await readFile(path.join(`${dataFile}.lock`, 'owner'), 'utf8')).toBe('someone');
  });

  it('When DATA_FILE is a symbolic link to a file not there yet, then the data file is created at its target and the link is kept', async () => {
    const target = path.join(dir, 'elsewhere', 'real.json');
    await mkdir(path.dirname(target));
    await symlink(target, dataFile);
    const store = await openFileStore(dataFile);
    await store.put('messages', { id: 'm_link', threadId: 't_alice_bob', senderId: 'p_bob', text: 'x', createdAt: 1 });
    await store.close();
    expect((await lstat(dataFile)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toContain('m_link');
  });

  it('When DATA_FILE is a symbolic link into a folder that does not exist, then the start is refused in one line and nothing is created', async () => {
    await symlink(path.join(dir, 'nowhere', 'real.json'), dataFile);
    const error = await openFileStore(dataFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLoadError);
    expect((error as Error).message).toBe(
      `${dataFile}: a symbolic link to ${path.join(dir, 'nowhere', 'real.json')}, in a folder that does not exist`,
    );
    expect(await readdir(dir)).toEqual(['glasshouse.json']);
  });
});
