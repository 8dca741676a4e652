/**
 * `npm start`: the only place that reads the environment and listens. Opens the store on DATA_FILE
 * (seeded on first start), starts the platform, and prints the URL and the demo logins.
 */
import { ConfigError, demoWarnings, loadConfig } from './src/config.js';
import { createPlatform } from './src/platform.js';
import { StoreLoadError } from './src/store/persistence.js';
import { openFileStore } from './src/store/open-data-file.js';
import { DEMO_PASSWORD, SEED_PEOPLE } from '../seed/world.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const store = await openFileStore(config.DATA_FILE, {
    tunewaveUrl: `http://localhost:${config.TUNEWAVE_PORT}`,
    reelboxUrl: `http://localhost:${config.REELBOX_PORT}`,
  });
  const platform = createPlatform({ config, store });
  await new Promise<void>((resolve) => platform.httpServer.listen(config.PLATFORM_PORT, resolve));

  console.log(`\nGlasshouse is running\n  platform  ${config.PLATFORM_URL}\n  data      ${config.DATA_FILE}`);
  console.log(`\nDemo logins (password "${DEMO_PASSWORD}"): ${Object.keys(SEED_PEOPLE).join(', ')}`);
  console.log(`Admin token: ${config.ADMIN_TOKEN}`);
  for (const w of demoWarnings(config)) console.log(`note: ${w} (demo only)`);
  console.log('\nPress Ctrl-C to stop.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await platform.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StoreLoadError) {
    console.error(`Glasshouse cannot start: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
