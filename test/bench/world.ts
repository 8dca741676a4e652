import { writeFile } from 'node:fs/promises';
import type { Message, World } from '../../server/src/store/schema.js';
import { seedWorld } from '../../seed/world.js';

/** The group thread the benchmarks read and write: alice, bob, carol, erin. */
export const BIG_THREAD = 'g_weekend';

/**
 * The seed world grown to `total` stored messages, the extra ones in `BIG_THREAD` (one per second
 * before the seed's first message, so the seed's conversation stays the newest).
 */
export function benchWorld(total: number): World {
  const world = seedWorld();
  const first = Math.min(...world.messages.map((m) => m.createdAt));
  const senders = ['p_alice', 'p_bob', 'p_carol', 'p_erin'];
  const extra = Math.max(0, total - world.messages.length);
  const filler: Message[] = Array.from({ length: extra }, (_, i) => ({
    id: `m_fill_${i}`, threadId: BIG_THREAD, senderId: senders[i % senders.length]!,
    text: `Filler message number ${i}, about as long as a real one.`, createdAt: first - (extra - i) * 1000,
  }));
  world.messages.unshift(...filler);
  return world;
}

/** Writes the world as a data file (what `DATA_FILE` holds). */
export async function writeWorld(file: string, world: World): Promise<void> {
  await writeFile(file, JSON.stringify(world));
}
