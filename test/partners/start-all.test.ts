import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../helpers/platform.js';

/** Collects the child's stdout until `marker` appears; rejects if it exits first or after `ms`. */
function outputUntil(child: ChildProcess, marker: string, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "${marker}" within ${ms} ms:\n${out}`)), ms);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(marker)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${marker}":\n${out}`));
    });
  });
}

describe('npm start', () => {
  let child: ChildProcess | undefined;
  let dir = '';
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('When the demo starts, then the platform and both partners answer, the URLs and logins are printed, and Ctrl-C stops all cleanly', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-start-'));
    let ports: number[] = [];
    let out = '';
    // Free ports are picked seconds before the child binds them: another test's process may take one
    // meanwhile. That start is refused naming the port, and tried again on other ports.
    for (let attempt = 1; !out; attempt++) {
      ports = [await freePort(), await freePort(), await freePort()];
      const env = {
        ...process.env,
        NODE_OPTIONS: '',
        PLATFORM_PORT: String(ports[0]),
        TUNEWAVE_PORT: String(ports[1]),
        REELBOX_PORT: String(ports[2]),
        DATA_FILE: path.join(dir, 'glasshouse.json'),
        LOG_LEVEL: 'silent',
      };
      child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      out = await outputUntil(child, 'Press Ctrl-C to stop.').catch((err: Error) => {
        if (attempt >= 3 || !/port \d+ is already in use/.test(err.message)) throw err;
        return '';
      });
    }
    const [platformPort, tunewavePort, reelboxPort] = ports;

    expect(out).toContain(`platform  http://localhost:${platformPort}`);
    expect(out).toContain(`Tunewave  http://localhost:${tunewavePort}`);
    expect(out).toContain(`Reelbox   http://localhost:${reelboxPort}`);
    expect(out).toMatch(/Demo logins \(password "glasshouse"\): alice, bob, carol/);
    const tunewave = await fetch(`http://localhost:${tunewavePort}/`);
    expect(await tunewave.text()).toContain('Tunewave');
    const reelbox = await fetch(`http://localhost:${reelboxPort}/`);
    expect(await reelbox.text()).toContain('Reelbox');
    expect((await fetch(`http://localhost:${platformPort}/login`)).status).toBe(200);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child!.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`http://localhost:${tunewavePort}/healthz`)).rejects.toThrow();
  });
});
