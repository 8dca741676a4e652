import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs jest on test/helpers/hanging.fixture.ts with `env`; resolves with its exit code and output. */
function runHangingFile(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['node_modules/jest/bin/jest.js', '--ci', '--testMatch', '**/test/helpers/hanging.fixture.ts'],
      { cwd: root, env: { ...process.env, ...env }, timeout: 50_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, output: stdout + stderr }),
    );
  });
}

describe('the test run’s hang watchdog (test/helpers/hang-watchdog.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-watchdog-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('When a test file’s event loop stops turning, then that file fails within the limit, named on stderr, instead of hanging the run', async () => {
    const { code, output } = await runHangingFile({
      HANG_KIND: 'spin',
      HANG_MARKER: path.join(dir, 'ran'),
      HANG_WATCHDOG_STALLED_MS: '1500',
    });
    expect(output).toMatch(/\[hang-watchdog\] .*hanging\.fixture\.ts: the event loop has not turned for \d+ ms/);
    expect(output).toMatch(/FAIL .*hanging\.fixture\.ts/);
    expect(code).toBe(1);
  }, 60_000);

  it('When a test file is still running after its limit with the loop turning, then what it waits on is printed and the file runs again in a new worker', async () => {
    const { code, output } = await runHangingFile({
      HANG_KIND: 'wait',
      HANG_MARKER: path.join(dir, 'ran'),
      HANG_WATCHDOG_FILE_MS: '2000',
    });
    expect(output).toMatch(/\[hang-watchdog\] .*hanging\.fixture\.ts has run for 2000 ms; the process waits on: /);
    // The second run (the marker is there) passed, and with it the whole run.
    expect(output).toMatch(/Tests: +1 passed, 1 total/);
    expect(code).toBe(0);
  }, 60_000);
});
