import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { filePersistence } from '../../server/src/store/persistence.js';
import { openStore } from '../../server/src/store/store.js';
import type { Message } from '../../server/src/store/schema.js';
import { seedWorld } from '../../seed/world.js';
import { below, info, type Figure } from './figures.js';
import { percentile } from './load.js';

/** Latency (ms) of `count` sequential durable message writes into a file store already holding `held` messages. */
async function writeLatencies(held: number, count: number): Promise<number[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-bench-'));
  try {
    const world = seedWorld();
    const filler: Message[] = Array.from({ length: held }, (_, i) => ({
      id: `m_fill_${i}`, threadId: 'g_weekend', senderId: 'p_bob', text: `filler message number ${i}`, createdAt: i,
    }));
    world.messages.push(...filler);
    const store = await openStore(filePersistence(path.join(dir, 'glasshouse.json')), () => world);
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await store.put('messages', { id: `m_bench_${i}`, threadId: 't_alice_bob', senderId: 'p_alice', text: 'bench', createdAt: Date.now() });
      latencies.push(performance.now() - start);
    }
    await store.close();
    return latencies;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}


/**
 * Store write benchmark: one durable write (journal append + fdatasync) must cost the same with
 * 100,000 stored messages as with 1,000. Target: p50 at 100k ≤ 2 × p50 at 1k (+1 ms noise floor).
 */
export async function benchStoreWrites(): Promise<Figure[]> {
  const small = await writeLatencies(1_000, 300);
  const large = await writeLatencies(100_000, 300);
  const [p50s, p50l] = [percentile(small, 50), percentile(large, 50)];
  return [
    info('store: durable message write at 1k held, p50', p50s, 'ms'),
    info('store: durable message write at 1k held, p99', percentile(small, 99), 'ms'),
    info('store: durable message write at 100k held, p50', p50l, 'ms'),
    info('store: durable message write at 100k held, p99', percentile(large, 99), 'ms'),
    below('store: p50 at 100k over 2 × p50 at 1k + 1 ms', p50l / (2 * p50s + 1), 'ratio', 1.000001),
  ];
}
