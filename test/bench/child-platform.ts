/**
 * Bench target: the real platform (createPlatform over the file store on DATA_FILE, as `npm start`
 * builds it, without the partner apps) on 127.0.0.1; prints `ready <port>`. SIGTERM closes it.
 */
import { loadConfig } from '../../server/src/config.js';
import { compactWhenIdle } from '../../server/src/http/compact-when-idle.js';
import { freePort } from '../../server/src/http/startup.js';
import { createPlatform } from '../../server/src/platform.js';
import { openFileStore } from '../../server/src/store/open-data-file.js';

const port = await freePort();
const config = loadConfig({ ...process.env, PLATFORM_PORT: String(port), PLATFORM_URL: `http://127.0.0.1:${port}`, TUNEWAVE_PORT: '0', REELBOX_PORT: '0' });
const store = await openFileStore(config.DATA_FILE);
const platform = createPlatform({ config, store });
platform.httpServer.listen(port, '127.0.0.1', () => console.log(`ready ${port}`));
compactWhenIdle({ servers: [platform.httpServer], idleMs: config.MEMORY_COMPACT_IDLE_MS });
process.on('SIGTERM', () => {
  void platform.close().then(() => store.close()).then(() => process.exit(0));
});
