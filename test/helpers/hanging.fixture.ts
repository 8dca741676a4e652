/**
 * A test file for test/architecture/hang-watchdog.test.ts (not a test of its own: jest's testMatch is
 * *.test.ts). `HANG_KIND`:
 * - `spin`: an endless synchronous loop in its test, on its first run;
 * - `wait`: a promise that never settles, outside any test (as a module that never finishes loading),
 *   on its first run;
 * - `spin-after-all`: an endless synchronous loop in its own `afterAll`, on its first run;
 * - `slow`: a healthy file whose test waits `HANG_SLOW_MS` ms.
 * `HANG_MARKER`: a file it creates on its first run, so that a second run passes.
 */
import { afterAll, expect, it } from '@jest/globals';
import fs from 'node:fs';

let spins = 0;

/** Never returns: no timer of the process can fire again. */
function spinForever(): never {
  for (;;) spins++;
}

const kind = process.env.HANG_KIND;
const marker = process.env.HANG_MARKER!;
const firstRun = !fs.existsSync(marker);
if (firstRun) fs.writeFileSync(marker, '');
if (firstRun && kind === 'wait') await new Promise(() => undefined);

it('never ends on its first run', async () => {
  if (firstRun && kind === 'spin') spinForever();
  if (kind === 'slow') await new Promise((resolve) => setTimeout(resolve, Number(process.env.HANG_SLOW_MS)));
  expect(spins).toBe(0);
});

afterAll(() => {
  if (firstRun && kind === 'spin-after-all') spinForever();
});
