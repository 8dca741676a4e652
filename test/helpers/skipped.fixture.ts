/**
 * A test file whose only test the watchdog's test filters out (`-t`: jest then runs none of its
 * hooks) and that takes a second to load, for test/architecture/hang-watchdog.test.ts (not a test of
 * its own).
 */
import { it } from '@jest/globals';

await new Promise((resolve) => setTimeout(resolve, 1000));

it('is filtered out by the run', () => undefined);
