import { seedWorld, type SeedOptions } from '../../../seed/world.js';
import { filePersistence, memoryPersistence } from './persistence.js';
import { openStore, type Store, type StoreOptions } from './store.js';

/**
 * Opens the store on `dataFile` (created from the seed when missing).
 * @throws StoreLoadError naming the file and the problem; the file is left untouched.
 */
export function openFileStore(dataFile: string, seed: SeedOptions = {}, options: StoreOptions = {}): Promise<Store> {
  return openStore(filePersistence(dataFile), () => seedWorld(seed), options);
}

/** An in-memory store holding the seed (tests, sandboxes): nothing touches the disk. */
export function openMemoryStore(seed: SeedOptions = {}): Promise<Store> {
  return openStore(memoryPersistence(), () => seedWorld(seed));
}
