import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_ADMIN_TOKEN } from '../../server/src/config.js';
import { startPlatformProcess, type PlatformProcess } from '../helpers/platform-process.js';

/**
 * The real platform with its data file on a small tmpfs (CI runs as root). Skipped, saying so, only
 * where mounting is refused.
 */
describe('a full disk under the real platform', () => {
  let dir: string;
  let mnt: string;
  let mounted = false;
  let running: PlatformProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-full-'));
    mnt = path.join(dir, 'mnt');
    await mkdir(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      console.warn(
        `SKIPPED the disk-full test: mounting a tmpfs was refused (${(err as Error).message.split('\n')[0]}); run as root to include it.`,
      );
    }
  });
  afterAll(async () => {
    await running?.kill('SIGKILL');
    if (mounted) execFileSync('umount', ['-l', mnt]);
    await rm(dir, { recursive: true, force: true });
  });

  /** Posts `text`; 'ok' for 201, 'refused' for a 5xx problem. */
  async function post(gh: PlatformProcess, token: string, text: string): Promise<'ok' | 'refused'> {
    const res = await fetch(`${gh.url}/api/v1/threads/g_weekend/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    await res.body?.cancel();
    if (res.status === 201) return 'ok';
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    return 'refused';
  }

  it('When the disk fills up, then writes are refused with 503; once space is freed writes succeed again; after a kill and restart every 201 is there once and no refused write is', async () => {
    if (!mounted) return; // skipped, see the warning above
    const dataFile = path.join(mnt, 'glasshouse.json');
    const ballast = path.join(mnt, 'ballast');
    await writeFile(ballast, Buffer.alloc(96 * 1024, 1));
    running = await startPlatformProcess(dataFile, { JOURNAL_COMPACT_BYTES: '32768' });
    const token = await running.token('alice', ['messages:read', 'messages:write']);
    const acknowledged: string[] = [];
    const refused: string[] = [];
    let n = 0;
    const fill = async () => {
      let refusedInARow = 0;
      while (refusedInARow < 10) {
        const text = `fill ${n++}`;
        if ((await post(running!, token, text)) === 'ok') {
          acknowledged.push(text);
          refusedInARow = 0;
        } else {
          refused.push(text);
          refusedInARow++;
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, fill));
    expect(refused.length).toBeGreaterThanOrEqual(40);

    await unlink(ballast); // free some space: writes work again at once
    for (let i = 0; i < 20; i++) {
      const text = `after ${i}`;
      if ((await post(running, token, text)) !== 'ok') {
        throw new Error(
          `a write was refused after space was freed:\n${running.output().slice(-1500)}\n${execFileSync('df', [mnt]).toString()}`,
        );
      }
      acknowledged.push(text);
    }
    await running.kill('SIGKILL');
    running = await startPlatformProcess(dataFile);
    const res = await fetch(`${running.url}/admin/threads/g_weekend/messages`, {
      headers: { authorization: `Bearer ${DEMO_ADMIN_TOKEN}` },
    });
    const texts = ((await res.json()) as { messages: { text: string }[] }).messages.map((m) => m.text);
    const count = new Map<string, number>();
    for (const t of texts) count.set(t, (count.get(t) ?? 0) + 1);
    expect(acknowledged.filter((t) => count.get(t) !== 1)).toEqual([]);
    expect(refused.filter((t) => count.has(t))).toEqual([]);
  }, 90_000);
});
