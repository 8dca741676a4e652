import { freePort } from '../../server/src/http/startup.js';
import { testConfig, type Config } from '../../server/src/config.js';
import { createPlatform, type Platform, type PlatformDeps } from '../../server/src/platform.js';
import { openMemoryStore } from '../../server/src/store/open-data-file.js';
import type { Store } from '../../server/src/store/store.js';
import type { SeedOptions } from '../../seed/world.js';

export { freePort };

export interface RunningPlatform {
  platform: Platform;
  store: Store;
  config: Config;
  /** e.g. http://127.0.0.1:40123 — also the OAuth issuer. */
  url: string;
  close(): Promise<void>;
}

/** A seeded, in-memory platform listening on an ephemeral port of 127.0.0.1. */
export async function startPlatform(
  overrides: Partial<Record<keyof Config, string>> = {},
  seed: SeedOptions = {},
  deps: Partial<Omit<PlatformDeps, 'config' | 'store'>> = {},
): Promise<RunningPlatform> {
  const store = await openMemoryStore(seed);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = testConfig({ PLATFORM_PORT: String(port), PLATFORM_URL: url, ...overrides });
  const platform = createPlatform({ config, store, ...deps });
  await new Promise<void>((resolve) => platform.httpServer.listen(port, '127.0.0.1', resolve));
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
