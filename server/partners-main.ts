/**
 * `npm run partners`: Tunewave and Reelbox only, against the platform at `PLATFORM_URL` (README
 * "The demo, step by step", step 9). Reads the same environment as `npm start` (TUNEWAVE_PORT,
 * REELBOX_PORT, the client secrets, SESSION_SECRET). The partners answer at once; while the platform
 * does not, they show "Glasshouse is not answering", and this process keeps trying politely (backing
 * off up to every 15 s) and says when it answers. Ctrl-C (SIGINT) or SIGTERM stops both.
 */
import { takesNoArguments } from './src/cli-args.js';
import { listenWarning, loadConfig } from './src/config.js';
import { listen } from './src/http/startup.js';
import { waitForPlatform } from './src/http/wait-for-platform.js';
import { createReelbox } from '../partners/reelbox/reelbox.js';
import { createTunewave } from '../partners/tunewave/tunewave.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const tunewaveUrl = `http://localhost:${config.TUNEWAVE_PORT}`;
  const reelboxUrl = `http://localhost:${config.REELBOX_PORT}`;
  const partnerSecret = (name: string) => `${config.SESSION_SECRET}:${name}`;
  const tunewave = createTunewave({
    publicUrl: tunewaveUrl,
    platformUrl: config.PLATFORM_URL,
    clientSecret: config.TUNEWAVE_CLIENT_SECRET,
    sessionSecret: partnerSecret('tunewave'),
  });
  const reelbox = createReelbox({
    publicUrl: reelboxUrl,
    platformUrl: config.PLATFORM_URL,
    clientSecret: config.REELBOX_CLIENT_SECRET,
    sessionSecret: partnerSecret('reelbox'),
  });
  const stopping = new AbortController();

  const stop = async (code = 0) => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    console.log('\nStopping…');
    await Promise.allSettled([tunewave.close(), reelbox.close()]);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  try {
    await listen(tunewave.httpServer, config.TUNEWAVE_PORT, 'Tunewave', config.LISTEN_HOST);
    await listen(reelbox.httpServer, config.REELBOX_PORT, 'Reelbox', config.LISTEN_HOST);
  } catch (err) {
    console.error(`The partners cannot start: ${err instanceof Error ? err.message : String(err)}`);
    await stop(1);
    return;
  }
  console.log(
    `Partners are running against ${config.PLATFORM_URL}\n  Tunewave  ${tunewaveUrl}\n  Reelbox   ${reelboxUrl}\nPress Ctrl-C to stop.`,
  );
  const listening = listenWarning(config);
  if (listening) console.log(`note: ${listening} (demo only)`);
  await waitForPlatform(config.PLATFORM_URL, (line) => console.log(line), stopping.signal);
}

if (
  takesNoArguments(
    'partners',
    'Start Tunewave and Reelbox against the platform at PLATFORM_URL; settings come from the environment (README "Configuration").',
  )
) {
  main().catch((err: unknown) => {
    // A bad setting (one line per key), a port in use: the message says it; no stack trace.
    console.error(`The partners cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
