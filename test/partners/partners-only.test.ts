import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from '@jest/globals';
import { testConfig } from '../../server/src/config.js';
import { createPlatform, type Platform } from '../../server/src/platform.js';
import { openMemoryStore } from '../../server/src/store/open-data-file.js';
import type { Store } from '../../server/src/store/store.js';
import { freePort } from '../helpers/platform.js';

/** The child's output so far, and a way to wait for a marker in it. */
function watchOutput(child: ChildProcess) {
  let out = '';
  const waiters: { marker: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.filter((x) => out.includes(x.marker))) w.resolve();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    get text() {
      return out;
    },
    until(marker: string, ms = 20_000): Promise<void> {
      if (out.includes(marker)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${marker}" within ${ms} ms:\n${out}`)), ms);
        waiters.push({
          marker,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

describe('npm run partners', () => {
  let child: ChildProcess | undefined;
  let platform: Platform | undefined;
  let store: Store | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await platform?.close();
    await store?.close();
  });

  it('When the platform is not there yet, then the partners answer and wait politely, and notice when it comes', async () => {
    const [platformPort, tunewavePort, reelboxPort] = [await freePort(), await freePort(), await freePort()];
    const platformUrl = `http://127.0.0.1:${platformPort}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'server/partners-main.ts'], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PLATFORM_URL: platformUrl,
        TUNEWAVE_PORT: String(tunewavePort),
        REELBOX_PORT: String(reelboxPort),
        PLATFORM_PORT: String(platformPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = watchOutput(child);
    await output.until(`Waiting for Glasshouse at ${platformUrl}`);
    expect(output.text).toContain(`Tunewave  http://localhost:${tunewavePort}`);
    expect((await fetch(`http://localhost:${tunewavePort}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://localhost:${reelboxPort}/`)).text()).toContain('Reelbox');
    // Logging in now shows the partner's "not answering" page rather than a crash.
    const login = await fetch(`http://localhost:${tunewavePort}/auth/login`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(await login.text()).toContain('Glasshouse is not answering');

    store = await openMemoryStore();
    platform = createPlatform({ config: testConfig({ PLATFORM_URL: platformUrl }), store });
    await new Promise<void>((resolve) => platform!.httpServer.listen(platformPort, '127.0.0.1', resolve));
    await output.until(`Glasshouse answers at ${platformUrl}`);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.text).not.toMatch(/Error|at .*\.ts:\d+/);
  });
});
