import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import type { Store } from '../../server/src/store/store.js';

/** Runs `npm run seed` (node --import tsx seed/bin/seed.ts) with `env`; resolves with its exit and output. */
function runSeed(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'seed/bin/seed.ts', ...args], {
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`seed still running:\n${stdout}${stderr}`));
    }, 20_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run seed', () => {
  let dir = '';
  let store: Store | undefined;
  afterAll(async () => {
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('When the data file is in use by a running platform, then it refuses in one line without a stack trace and exits 1', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-seed-'));
    const dataFile = path.join(dir, 'glasshouse.json');
    store = await openFileStore(dataFile);
    const { code, stdout, stderr } = await runSeed({ DATA_FILE: dataFile });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Cannot seed: .*already in use by another Glasshouse process/),
    ]);
    await store.close();
    store = undefined;
    const again = await runSeed({ DATA_FILE: dataFile });
    expect(again.stdout).toMatch(/^Wrote .*glasshouse\.json: \d+ people/);
    expect(again.code).toBe(0);
  });

  it.each([
    ['an unknown option', ['--bogus'], 1, /^error: unknown option '--bogus'$/],
    ['a stray argument', ['data/other.json'], 1, /^error: too many arguments/],
    ['--help', ['--help'], 0, /^$/],
  ])(
    'When it is given %s, then it writes no data file and says why in one line',
    async (_what, args, exitCode, stderrLine) => {
      const scratch = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-seed-args-'));
      try {
        const dataFile = path.join(scratch, 'glasshouse.json');
        const { code, stdout, stderr } = await runSeed({ DATA_FILE: dataFile }, args);
        expect(code).toBe(exitCode);
        expect(stderr.trim()).toMatch(stderrLine);
        expect(stdout).not.toMatch(/Wrote/);
        expect(await readdir(scratch)).toEqual([]);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  );

  it('When DATA_FILE is a directory, then it refuses in one line naming it, and leaves the directory as it was', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-seed-dir-'));
    try {
      const { code, stderr } = await runSeed({ DATA_FILE: scratch });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([`Cannot seed: ${scratch}: not a file but a directory`]);
      expect(await readdir(scratch)).toEqual([]);
      expect(await readdir(path.dirname(scratch))).not.toContainEqual(
        expect.stringMatching(new RegExp(`^\\.${path.basename(scratch)}\\..*tmp$`)),
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
