/**
 * `npm run bench`: speed and memory targets, measured outside the unit tests. Exits 1 if a target
 * is missed. Everything runs on 127.0.0.1 / a temp dir, bounded in count and time.
 */
import { benchSandbox } from './sandbox.js';
import { benchStoreWrites } from './store-writes.js';

const benches = [benchStoreWrites, benchSandbox];
let failed = 0;
for (const bench of benches) {
  const result = await bench();
  console.log(`${result.ok ? 'ok  ' : 'MISS'} ${result.name}: ${result.summary}`);
  if (!result.ok) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
