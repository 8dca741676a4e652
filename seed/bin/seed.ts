/**
 * `npm run seed`: resets DATA_FILE to the seeded world (asks nothing) and prints what it wrote.
 */
import { loadConfig } from '../../server/src/config.js';
import { filePersistence } from '../../server/src/store/persistence.js';
import { seedWorld } from '../world.js';

const config = loadConfig(process.env);
const world = seedWorld({
  tunewaveUrl: `http://localhost:${config.TUNEWAVE_PORT}`,
  reelboxUrl: `http://localhost:${config.REELBOX_PORT}`,
});
const persistence = filePersistence(config.DATA_FILE);
await persistence.compact(world);
await persistence.close();
console.log(
  `Wrote ${config.DATA_FILE}: ${world.people.length} people, ${world.friendships.length} friendships, ` +
    `${world.threads.length} threads, ${world.messages.length} messages, ${world.clients.length} partner clients.`,
);
