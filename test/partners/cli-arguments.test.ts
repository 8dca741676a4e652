import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/** Runs an entry point with `args` (ports 1, so one that wrongly starts fails at once); resolves with its exit and output. */
function run(
  script: string,
  args: string[],
  dataFile: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      NODE_OPTIONS: '',
      DATA_FILE: dataFile,
      PLATFORM_PORT: '1',
      TUNEWAVE_PORT: '1',
      REELBOX_PORT: '1',
      PLATFORM_URL: 'http://localhost:1',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} still running:\n${stdout}${stderr}`));
    }, 20_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm start and npm run partners take no arguments', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-cli-args-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['server/main.ts', ['--bogus'], 1, /^error: unknown option '--bogus'$/m],
    ['server/main.ts', ['--help'], 0, /^Usage: start/m],
    ['server/partners-main.ts', ['stray'], 1, /^error: too many arguments/m],
    ['server/partners-main.ts', ['--help'], 0, /^Usage: partners/m],
  ])(
    'When %s is given %j, then it starts nothing, opens no data file and says why',
    async (script, args, exitCode, said) => {
      const { code, stdout, stderr } = await run(script, args, path.join(dir, 'glasshouse.json'));
      expect(code).toBe(exitCode);
      expect(`${stdout}${stderr}`).toMatch(said);
      expect(`${stdout}${stderr}`).not.toMatch(/is running|are running|cannot start/);
      expect(await readdir(dir)).toEqual([]);
    },
  );
});
