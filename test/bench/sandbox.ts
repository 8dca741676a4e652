import { createSandbox } from '../../server/testkit/sandbox.js';

import { below, type Figure } from './figures.js';
import { percentile } from './load.js';

/**
 * Sandbox benchmark: `createSandbox()` (seeded in-memory platform listening on 127.0.0.1, no
 * partners) followed by `close()`, `runs` times after 3 warm-up runs (module loading, JIT).
 * Targets: p50 < 50 ms, p95 < 150 ms, so that a test file can build one per test.
 */
export async function benchSandbox(runs = 30): Promise<Figure[]> {
  for (let i = 0; i < 3; i++) await (await createSandbox()).close();
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const sandbox = await createSandbox();
    await sandbox.close();
    latencies.push(performance.now() - start);
  }
  return [below('createSandbox() + close(), p50', percentile(latencies, 50), 'ms', 50), below('createSandbox() + close(), p95', percentile(latencies, 95), 'ms', 150)];
}
