/**
 * Child of `test/http/compact-when-idle.test.ts`, run with `--expose-gc`. Prints one JSON line:
 * - `plain`, `compacted`: old space committed (bytes) after a plain full collection and after
 *   `heapCollector().compact()`, with old space left fragmented (300,000 objects promoted, every other
 *   one kept), the plain figure after two plain full collections;
 * - `youngBusy`, `youngIdle`: the young generation committed (bytes) at the end of a load on a real
 *   HTTP server watched by `compactWhenIdle` (`idleMs` 200), and once it shrank (at most 8 s after).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import { compactWhenIdle, heapCollector } from '../../server/src/http/compact-when-idle.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const committed = (space: string) => v8.getHeapSpaceStatistics().find((s) => s.space_name === space)!.space_size;
let all: { text: string; n: number }[] = [];
for (let i = 0; i < 300_000; i++) all.push({ text: `message ${i} `.repeat(4), n: i });
gc(); // everything promoted to old space
all = all.filter((_, i) => i % 2 === 0);
gc();
gc();
const plain = committed('old_space');
heapCollector()!.compact();
const compacted = committed('old_space');

// Each request leaves about 1 MB of short-lived garbage: the young generation grows to its maximum.
const server = http.createServer((_req, res) => {
  const garbage = Array.from({ length: 10_000 }, (_, i) => ({ i, s: `row ${i}` }));
  res.end(String(garbage.length));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const stop = compactWhenIdle({ servers: [server], idleMs: 200 });
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const until = Date.now() + 1_500;
while (Date.now() < until) await fetch(url).then((r) => r.text());
const youngBusy = committed('new_space');
// V8 shrinks it about 5 s into the quiet; give up after 8 s.
const quietSince = Date.now();
while (committed('new_space') > 2 ** 20 && Date.now() - quietSince < 8_000)
  await new Promise((r) => setTimeout(r, 100));
const youngIdle = committed('new_space');
stop();
server.close();
console.log(JSON.stringify({ kept: all.length, plain, compacted, youngBusy, youngIdle }));
