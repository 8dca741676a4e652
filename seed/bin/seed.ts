/**
 * `npm run seed`: resets DATA_FILE to the seeded world (asks nothing) and prints what it wrote.
 * Refused (one line, exit 1) while a Glasshouse process holds the data file, on a bad setting, and
 * on any argument (`--help` prints the usage): it writes nothing then.
 */
import { stat } from 'node:fs/promises';
import { takesNoArguments } from '../../server/src/cli-args.js';
import { oneLine } from '../../server/src/cli-errors.js';
import { loadConfig } from '../../server/src/config.js';
import { filePersistence } from '../../server/src/store/persistence.js';
import { seedWorld } from '../world.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const world = seedWorld({
    tunewaveUrl: `http://localhost:${config.TUNEWAVE_PORT}`,
    reelboxUrl: `http://localhost:${config.REELBOX_PORT}`,
  });
  // Said plainly here; the write would fail later with a raw rename error naming a temporary file.
  if ((await stat(config.DATA_FILE).catch(() => undefined))?.isDirectory())
    throw new Error(`${config.DATA_FILE}: not a file but a directory`);
  const persistence = filePersistence(config.DATA_FILE);
  try {
    await persistence.compact(world);
  } finally {
    await persistence.close();
  }
  console.log(
    `Wrote ${config.DATA_FILE}: ${world.people.length} people, ${world.friendships.length} friendships, ` +
      `${world.threads.length} threads, ${world.messages.length} messages, ${world.clients.length} partner clients.`,
  );
}

if (
  takesNoArguments(
    'seed',
    'Reset DATA_FILE (default data/glasshouse.json) to the seeded world; settings come from the environment (README "Configuration").',
  )
) {
  main().catch((err: unknown) => {
    console.error(`Cannot seed: ${oneLine(err)}`);
    process.exitCode = 1;
  });
}
