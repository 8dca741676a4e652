import { createSandbox } from '../../server/testkit/sandbox.js';

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/**
 * Sandbox benchmark: `createSandbox()` (seeded in-memory platform listening on 127.0.0.1, no
 * partners) followed by `close()`, `runs` times after 3 warm-up runs (module loading, JIT).
 * Target: p50 < 100 ms, so that a test file can build one per test.
 */
export async function benchSandbox(runs = 30): Promise<{ name: string; ok: boolean; summary: string }> {
  for (let i = 0; i < 3; i++) await (await createSandbox()).close();
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const sandbox = await createSandbox();
    await sandbox.close();
    latencies.push(performance.now() - start);
  }
  const [p50, p95] = [percentile(latencies, 50), percentile(latencies, 95)];
  return {
    name: 'sandbox: create+close',
    ok: p50 < 100,
    summary: `${runs} runs: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target p50 < 100 ms)`,
  };
}
