/**
 * `npm run bench`: the speed and memory targets of the README "Performance", measured outside the
 * unit tests, everything on 127.0.0.1 and in temp dirs, bounded in count and time (about four
 * minutes with the defaults). Prints every figure with its target and writes them as JSON
 * (`[{ name, value, unit, target, met }]`) to `BENCH_OUT` (default `bench/results.json`).
 * `BENCH_SECONDS` (default 3) per load run, `BENCH_REPEAT` (default 3) runs per operation,
 * `BENCH_SOCKETS` (default 1000), `BENCH_SIZES` (default `1000,100000`). Exits 1 if a target is missed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { atLeast, info, type Figure } from './figures.js';
import { benchPlatform } from './platform.js';
import { benchSandbox } from './sandbox.js';
import { benchSocketReference } from './socket-reference.js';
import { benchStoreWrites } from './store-writes.js';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const seconds = Number(env('BENCH_SECONDS', '3'));
const repeat = Number(env('BENCH_REPEAT', '3'));
const sockets = Number(env('BENCH_SOCKETS', '1000'));
const sizes = env('BENCH_SIZES', '1000,100000').split(',').map(Number);
const out = env('BENCH_OUT', 'bench/results.json');

const machine = () => `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
// Other processes skew every figure: the 1-minute load average is recorded before and after.
const figures: Figure[] = [info(`machine: ${machine()}; load average at start`, os.loadavg()[0]!, 'runnable')];
const report = (fs: Figure[]) => {
  for (const f of fs) console.log(`${f.met ? 'ok  ' : 'MISS'} ${f.name}: ${f.value} ${f.unit} (target ${f.target})`);
  figures.push(...fs);
};
console.log(`${figures[0]!.name}: ${figures[0]!.value}`);
const pageRatios: number[] = [];
for (const size of sizes) {
  const { figures: fs, messagesPageRatio } = await benchPlatform({ size, seconds, repeat, sockets });
  report(fs);
  pageRatios.push(messagesPageRatio);
}
if (pageRatios.length === 2) report([atLeast('messages page: ratio at the larger size over the ratio at the smaller', pageRatios[1]! / pageRatios[0]!, 'ratio', 0.8)]);
report(await benchSocketReference(sockets));
report(await benchSandbox());
report(await benchStoreWrites());
report([info('load average at the end', os.loadavg()[0]!, 'runnable')]);

await mkdir(path.dirname(out) || '.', { recursive: true });
await writeFile(out, JSON.stringify(figures, null, 2) + '\n');
const missed = figures.filter((f) => !f.met);
console.log(`\n${figures.length - missed.length}/${figures.length} figures within target; JSON in ${out}`);
process.exit(missed.length === 0 ? 0 : 1);
