import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_ADMIN_TOKEN } from '../../server/src/config.js';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import { StoreLoadError } from '../../server/src/store/persistence.js';
import { outputLines, refusedStart, startPlatformProcess, type PlatformProcess } from '../helpers/platform-process.js';

/** Posts messages from `writers` concurrent loops until `stop()`; returns the texts answered 201. */
function burst(gh: PlatformProcess, token: string, writers: number) {
  const acknowledged: string[] = [];
  let stopped = false;
  let n = 0;
  const loops = Array.from({ length: writers }, async () => {
    while (!stopped) {
      const text = `burst ${n++}`;
      try {
        const res = await fetch(`${gh.url}/api/v1/threads/g_weekend/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        });
        if (res.status === 201) acknowledged.push(text);
        await res.body?.cancel();
      } catch {
        return; // the process is gone
      }
    }
  });
  return {
    acknowledged,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe('a crash of the real platform process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('When the platform is SIGKILLed during a write burst, then it restarts at once on the same file with every acknowledged message exactly once; a second live process is refused, also through a symlink', async () => {
    const dataFile = path.join(dir, 'glasshouse.json');
    const first = await startPlatformProcess(dataFile);
    const token = await first.token('alice', ['messages:read', 'messages:write']);
    const load = burst(first, token, 8);
    while (load.acknowledged.length < 150) await new Promise((r) => setTimeout(r, 20));
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    await load.stop();

    // Restarted at once (the old lock was honoured for 10 s after a crash): its owner is dead, so it is taken over.
    const second = await startPlatformProcess(dataFile);
    try {
      const res = await fetch(`${second.url}/admin/threads/g_weekend/messages`, {
        headers: { authorization: `Bearer ${DEMO_ADMIN_TOKEN}` },
      });
      const texts = ((await res.json()) as { messages: { text: string }[] }).messages.map((m) => m.text);
      for (const text of load.acknowledged) expect(texts.filter((t) => t === text)).toHaveLength(1);

      // A second live process on the same file, reached through a symlink, is refused in one line.
      const link = path.join(dir, 'link.json');
      await symlink(dataFile, link);
      const refused = await refusedStart(link);
      expect(refused.code).toBe(1);
      const lines = outputLines(refused.output);
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Glasshouse cannot start: .*glasshouse\\.json: already in use by another Glasshouse process \\(process ${second.child.pid}\\b`,
          ),
        ),
      ]);
    } finally {
      await second.kill('SIGTERM');
    }
  }, 60_000);

  it('When the same data file is opened through a relative path or a symlink in the same process, then it is the same lock', async () => {
    const dataFile = path.join(dir, 'same.json');
    const store = await openFileStore(dataFile);
    const link = path.join(dir, 'same-link.json');
    await symlink(dataFile, link);
    for (const other of [link, path.relative(process.cwd(), dataFile)]) {
      const error = await openFileStore(other).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLoadError);
      expect((error as Error).message).toMatch(/already in use by another Glasshouse process \(this process/);
    }
    await store.close();
    const again = await openFileStore(link); // released: opens through the symlink, and writes the real file
    await again.close();
  });
});
