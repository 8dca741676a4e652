import { afterAll, beforeAll } from '@jest/globals';
import { freePort, listenOnEphemeralPort } from '../../server/src/http/startup.js';
import { testConfig, type Config } from '../../server/src/config.js';
import { createPlatform, type Platform, type PlatformDeps } from '../../server/src/platform.js';
import { openMemoryStore } from '../../server/src/store/open-data-file.js';
import type { Store } from '../../server/src/store/store.js';
import type { SeedOptions } from '../../seed/world.js';

/** A port nobody should be listening on (for "the platform is down" URLs, or a child process's port). */
export { freePort };

export interface RunningPlatform {
  platform: Platform;
  store: Store;
  config: Config;
  /** e.g. http://127.0.0.1:40123 — also the OAuth issuer. */
  url: string;
  close(): Promise<void>;
}

/**
 * A seeded, in-memory platform listening on an ephemeral port of 127.0.0.1: the server listens on
 * port 0 first, then the platform is built for the URL it got (no free-port race).
 * @param overrides config keys (strings, as in the environment).
 * @param seed where the built-in partners' redirect URIs point.
 * @param deps more of `createPlatform`'s dependencies (`compare`, `now`…).
 */
export async function startPlatform(
  overrides: Partial<Record<keyof Config, string>> = {},
  seed: SeedOptions = {},
  deps: Partial<Omit<PlatformDeps, 'config' | 'store' | 'httpServer'>> = {},
): Promise<RunningPlatform> {
  const store = await openMemoryStore(seed);
  const { server, url } = await listenOnEphemeralPort();
  const config = testConfig({ PLATFORM_PORT: new URL(url).port, PLATFORM_URL: url, ...overrides });
  const platform = createPlatform({ config, store, httpServer: server, ...deps });
  return {
    platform,
    store,
    config,
    url,
    async close() {
      await platform.close();
      await store.close();
    },
  };
}

/**
 * The platform of a test file (or of the `describe` it is called in): started in `beforeAll`, closed
 * in `afterAll`. The returned object is filled in by `beforeAll`: read its fields inside hooks and
 * tests only. Arguments as `startPlatform`.
 * @example
 *   const gh = usePlatform();
 *   it('…', async () => { await request(gh.url).get('/login').expect(200); });
 */
export function usePlatform(...args: Parameters<typeof startPlatform>): RunningPlatform {
  const running = {} as RunningPlatform;
  beforeAll(async () => {
    Object.assign(running, await startPlatform(...args));
  });
  afterAll(async () => {
    await running.close?.();
  });
  return running;
}

/**
 * Resolves once `check()` is true, polling every 10 ms (for state that arrives with an event or a
 * socket message). @throws Error naming `what` after `ms` milliseconds.
 */
export async function until(check: () => boolean, ms = 5000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
