import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs jest on the fixture files `files` (test/helpers/<name>.fixture.ts, in reverse order of their
 * names) with `env` and jest's `args`; resolves with its exit code and output.
 */
function runJest(
  files: string[],
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        'node_modules/jest/bin/jest.js',
        '--ci',
        '--testSequencer',
        '<rootDir>/test/helpers/reverse-name.sequencer.js',
        ...args,
        ...files.flatMap((name) => ['--testMatch', `**/test/helpers/${name}.fixture.ts`]),
      ],
      { cwd: root, env: { ...process.env, ...env }, timeout: 50_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, output: stdout + stderr }),
    );
  });
}

describe('the test run’s hang watchdog (test/helpers/hang-watchdog.ts)', () => {
  let dir: string;
  let marker: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-watchdog-'));
    marker = path.join(dir, 'ran');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(['spin', 'spin-after-all'])(
    'When a test file’s event loop stops turning (%s), then that file fails within the limit, named on stderr, instead of hanging the run',
    async (kind) => {
      const { code, output } = await runJest(['hanging'], {
        HANG_KIND: kind,
        HANG_MARKER: marker,
        HANG_WATCHDOG_STALLED_MS: '1500',
      });
      expect(output).toMatch(/\[hang-watchdog\] .*hanging\.fixture\.ts: the event loop has not turned for \d+ ms/);
      expect(output).toMatch(/FAIL .*hanging\.fixture\.ts/);
      expect(code).toBe(1);
    },
    60_000,
  );

  it('When a test file is still running after its limit with the loop turning, then what it waits on is printed and the file runs again in a new worker', async () => {
    const { code, output } = await runJest(['hanging'], {
      HANG_KIND: 'wait',
      HANG_MARKER: marker,
      HANG_WATCHDOG_FILE_MS: '2000',
    });
    expect(output).toMatch(/\[hang-watchdog\] .*hanging\.fixture\.ts has run for 2000 ms; the process waits on: /);
    // The second run (the marker is there) passed, and with it the whole run.
    expect(output).toMatch(/Tests: +1 passed, 1 total/);
    expect(code).toBe(0);
  }, 60_000);

  it('When a file whose hooks never run (all its tests filtered out) is followed by a healthy one in the same worker, then nothing of its watchdog outlives it', async () => {
    // The skipped file loads for 1 s; the healthy one then runs 2.5 s: a 3 s limit left running by the
    // skipped file would end inside the healthy one.
    const { code, output } = await runJest(
      ['skipped', 'hanging'],
      { HANG_KIND: 'slow', HANG_SLOW_MS: '2500', HANG_MARKER: marker, HANG_WATCHDOG_FILE_MS: '3000' },
      // Only the healthy file's test runs: the other file's is filtered out, and with it its hooks.
      ['--maxWorkers=1', '-t', 'never ends on its first run'],
    );
    expect(output).not.toContain('[hang-watchdog]');
    expect(output).toMatch(/Tests: +1 skipped, 1 passed, 2 total/);
    expect(code).toBe(0);
  }, 60_000);

  it('When jest runs the tests in its own process (--runInBand), then the watchdog never ends that process', async () => {
    const { code, output } = await runJest(
      ['hanging'],
      { HANG_KIND: 'slow', HANG_SLOW_MS: '2500', HANG_MARKER: marker, HANG_WATCHDOG_FILE_MS: '1000' },
      ['--runInBand'],
    );
    expect(output).not.toContain('[hang-watchdog]');
    expect(output).toMatch(/Tests: +1 passed, 1 total/);
    expect(code).toBe(0);
  }, 60_000);
});
