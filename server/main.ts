/**
 * `npm start`: the only place that reads the environment and listens. Opens the store on DATA_FILE
 * (seeded on first start), makes the built-in partners' registrations match where they run, starts
 * the platform, Tunewave and Reelbox in this one process, waits until all three answer, and prints
 * the URLs and the demo logins. Ctrl-C (SIGINT) or SIGTERM stops all three and closes the store.
 */
import { takesNoArguments } from './src/cli-args.js';
import { adminTokenNotice, ConfigError, demoWarnings, loadConfig } from './src/config.js';
import { compactWhenIdle } from './src/http/compact-when-idle.js';
import { listen, ListenError, waitUntilAnswering } from './src/http/startup.js';
import { createPlatform } from './src/platform.js';
import { StoreConflictError, StoreLoadError, StoreWriteError } from './src/store/persistence.js';
import { openFileStore } from './src/store/open-data-file.js';
import { syncPartnerClients } from './src/store/sync-partner-clients.js';
import { compareScenarioFile } from './testkit/scenario/compare.js';
import { createReelbox } from '../partners/reelbox/reelbox.js';
import { createTunewave } from '../partners/tunewave/tunewave.js';
import { DEMO_PASSWORD, SEED_PEOPLE } from '../seed/world.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const tunewaveUrl = `http://localhost:${config.TUNEWAVE_PORT}`;
  const reelboxUrl = `http://localhost:${config.REELBOX_PORT}`;
  const store = await openFileStore(
    config.DATA_FILE,
    { tunewaveUrl, reelboxUrl },
    {
      compactAfterBytes: config.JOURNAL_COMPACT_BYTES,
      onBackgroundError: (err) =>
        console.error(`Glasshouse: background compaction failed: ${err instanceof Error ? err.message : String(err)}`),
    },
  );
  const updated = await syncPartnerClients(store, {
    tunewave: { baseUrl: tunewaveUrl, clientSecret: config.TUNEWAVE_CLIENT_SECRET, dpop: config.PARTNERS_DPOP },
    reelbox: { baseUrl: reelboxUrl, clientSecret: config.REELBOX_CLIENT_SECRET, dpop: config.PARTNERS_DPOP },
  });

  const platform = createPlatform({ config, store, compare: compareScenarioFile });
  const partnerSecret = (name: string) => `${config.SESSION_SECRET}:${name}`;
  const dpop = config.PARTNERS_DPOP;
  const tunewave = createTunewave({
    publicUrl: tunewaveUrl,
    platformUrl: config.PLATFORM_URL,
    clientSecret: config.TUNEWAVE_CLIENT_SECRET,
    sessionSecret: partnerSecret('tunewave'),
    dpop,
  });
  const reelbox = createReelbox({
    publicUrl: reelboxUrl,
    platformUrl: config.PLATFORM_URL,
    clientSecret: config.REELBOX_CLIENT_SECRET,
    sessionSecret: partnerSecret('reelbox'),
    dpop,
  });

  let stopping = false;
  let stopCompacting = () => {};
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    stopCompacting();
    if (code === 0) console.log('\nStopping…'); // a refused start says why in one line, and only that
    await Promise.allSettled([tunewave.close(), reelbox.close()]);
    await platform.close();
    try {
      await store.close();
    } catch (err) {
      console.error(`Glasshouse: ${err instanceof Error ? err.message : String(err)}`);
      code = 1;
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const clientsProblem = await platform.oauth.clientsProblem();
  if (clientsProblem) {
    console.error(`Glasshouse cannot start: ${config.DATA_FILE}: ${clientsProblem}`);
    await stop(1);
    return;
  }
  try {
    await listen(platform.httpServer, config.PLATFORM_PORT, 'Glasshouse', config.LISTEN_HOST);
    await listen(tunewave.httpServer, config.TUNEWAVE_PORT, 'Tunewave', config.LISTEN_HOST);
    await listen(reelbox.httpServer, config.REELBOX_PORT, 'Reelbox', config.LISTEN_HOST);
    await waitUntilAnswering([`${config.PLATFORM_URL}/healthz`, `${tunewaveUrl}/healthz`, `${reelboxUrl}/healthz`]);
  } catch (err) {
    console.error(`Glasshouse cannot start: ${err instanceof Error ? err.message : String(err)}`);
    await stop(1);
    return;
  }

  stopCompacting = compactWhenIdle({
    servers: [platform.httpServer, tunewave.httpServer, reelbox.httpServer],
    idleMs: config.MEMORY_COMPACT_IDLE_MS,
  });
  console.log(
    `\nGlasshouse is running\n  platform  ${config.PLATFORM_URL}\n  Tunewave  ${tunewaveUrl}\n  Reelbox   ${reelboxUrl}\n  data      ${config.DATA_FILE}`,
  );
  if (updated.length) console.log(`  (registrations of ${updated.join(', ')} updated to match)`);
  console.log(`\nDemo logins (password "${DEMO_PASSWORD}"): ${Object.keys(SEED_PEOPLE).join(', ')}`);
  console.log(adminTokenNotice(config));
  console.log(`\nTry it: open ${tunewaveUrl}, "Log in with Glasshouse" as alice, tick Bob (saved at once), press ▶;`);
  console.log(`        in a private window, log into ${config.PLATFORM_URL} as bob and watch the inbox.`);
  for (const w of demoWarnings(config)) console.log(`note: ${w} (demo only)`);
  console.log('\nPress Ctrl-C to stop.');
}

if (
  takesNoArguments(
    'start',
    'Start Glasshouse, Tunewave and Reelbox; settings come from the environment (README "Configuration").',
  )
) {
  main().catch((err: unknown) => {
    if (
      err instanceof ConfigError ||
      err instanceof StoreLoadError ||
      err instanceof StoreWriteError ||
      err instanceof StoreConflictError ||
      err instanceof ListenError
    ) {
      console.error(`Glasshouse cannot start: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exit(1);
  });
}
