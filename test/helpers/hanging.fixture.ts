/**
 * A test file that never ends on its first run, for test/architecture/hang-watchdog.test.ts (not a
 * test of its own: jest's testMatch is *.test.ts). `HANG_KIND`: `spin` (an endless synchronous loop)
 * or `wait` (a promise that never settles, outside any test, as a module that never finishes
 * loading would). `HANG_MARKER`: a file it creates on that first run, so that a second run passes.
 */
import { expect, it } from '@jest/globals';
import fs from 'node:fs';

let spins = 0;

/** Never returns: no timer of the process can fire again. */
function spinForever(): never {
  for (;;) spins++;
}

const marker = process.env.HANG_MARKER!;
const firstRun = !fs.existsSync(marker);
if (firstRun) fs.writeFileSync(marker, '');
if (firstRun && process.env.HANG_KIND === 'wait') await new Promise(() => undefined);

it('never ends on its first run', () => {
  if (firstRun) spinForever();
  expect(spins).toBe(0);
});
