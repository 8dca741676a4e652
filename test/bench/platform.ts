import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/src/config.js';
import { settledAfterMs } from '../../server/src/http/compact-when-idle.js';
import { atLeast, below, info, type Figure } from './figures.js';
import { load, medianByRate, medianRatio, percentile, type LoadResult } from './load.js';
import { startServer, type ServerProcess } from './processes.js';
import { deliveryLatencies, SocketCrowd } from './sockets.js';
import { benchWorld, BIG_THREAD, writeWorld } from './world.js';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export interface PlatformBenchOptions {
  /** Stored messages in the generated world. */
  size: number;
  /** seconds per autocannon run */
  seconds: number;
  /** runs per operation (the median is reported) */
  repeat: number;
  /** Sockets of one person for the delivery targets. */
  sockets: number;
}

async function mint(url: string, username: string, clientId: string, scopes: string[]): Promise<string> {
  const res = await fetch(`${url}/admin/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, clientId, scopes }),
  });
  if (!res.ok) throw new Error(`minting a token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function post(url: string, token: string, threadId: string, text: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/threads/${threadId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  if (res.status !== 201) throw new Error(`POST: ${res.status}`);
  return ((await res.json()) as { id: string }).id;
}

/** `ratio`: `medianRatio` of the operation's runs to express's; `r`: its median run by rate. */
const latencyFigures = (name: string, r: LoadResult, ratio: number, minRatio: number, maxP99?: number): Figure[] => [
  atLeast(`${name}: throughput vs bare express`, ratio, 'ratio', minRatio),
  info(`${name}: requests/s`, r.rps, 'req/s'),
  info(`${name}: p50`, r.p50, 'ms'),
  maxP99 === undefined ? info(`${name}: p99`, r.p99, 'ms') : below(`${name}: p99`, r.p99, 'ms', maxP99),
];

/**
 * One world size: bare express, json-server and the real platform in their own processes on
 * 127.0.0.1, the HTTP targets (median of `repeat` runs, interleaved so each ratio is of the same
 * run), then the socket targets with `sockets` sockets of alice, then RSS, then the mixed load.
 */
export async function benchPlatform(o: PlatformBenchOptions): Promise<{ figures: Figure[]; messagesPageRatio: number }> {
  const label = `${o.size / 1000}k`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-bench-'));
  const dataFile = path.join(dir, 'glasshouse.json');
  const platformFile = path.join(dir, 'platform', 'glasshouse.json');
  const world = benchWorld(o.size);
  await writeWorld(dataFile, world);
  await mkdir(path.dirname(platformFile));
  await writeWorld(platformFile, world);
  const servers: ServerProcess[] = [];
  const crowd = new SocketCrowd();
  try {
    const started = async (server: Promise<ServerProcess>) => {
      servers.push(await server);
      return servers[servers.length - 1]!;
    };
    const express = await started(startServer('express', {}));
    // json-server serves static files from ./public of its working directory.
    await mkdir(path.join(dir, 'public'));
    const jsonServer = await started(startServer('json-server', { DATA_FILE: dataFile }, dir));
    const platform = await started(startServer('platform', { DATA_FILE: platformFile, ADMIN_TOKEN, API_RATE_LIMIT: '1000000', LOG_LEVEL: 'silent' }));
    const alice = await mint(platform.url, 'alice', 'tunewave', ['profile', 'messages:read', 'messages:write']);
    const auth = { authorization: `Bearer ${alice}` };
    const postTo = (threadId: string) => () =>
      load({ ...postOptions(platform.url, alice, threadId, 'Benchmark message, durable, logged, delivered'), duration: o.seconds });
    const ops = {
      express: () => load({ url: express.url, duration: o.seconds }),
      jsonServer: () => load({ url: `${jsonServer.url}/messages?threadId=${BIG_THREAD}&_page=1&_per_page=50`, duration: o.seconds }),
      me: () => load({ url: `${platform.url}/api/v1/me`, headers: auth, duration: o.seconds }),
      page: () => load({ url: `${platform.url}/api/v1/threads/${BIG_THREAD}/messages?limit=50`, headers: auth, duration: o.seconds }),
      post: postTo(BIG_THREAD),
    };
    // Warm-up (JIT, caches, the heap grown to its working size) of every measured operation, the POST
    // to another thread so that the world measured keeps its size; then the measured runs, interleaved.
    for (const run of [ops.express, ops.me, ops.page, postTo('t_alice_bob')]) await run();
    const runs: Record<keyof typeof ops, LoadResult[]> = { express: [], jsonServer: [], me: [], page: [], post: [] };
    for (let i = 0; i < o.repeat; i++) for (const [name, run] of Object.entries(ops)) runs[name as keyof typeof ops].push(await run());
    const [ex, js, me, page, postR] = (['express', 'jsonServer', 'me', 'page', 'post'] as const).map((name) => medianByRate(runs[name]));
    const vsExpress = (name: keyof typeof ops) => medianRatio(runs[name], runs.express);
    const pageRatio = vsExpress('page');
    const serverErrors = Object.values(runs).flat().reduce((n, r) => n + r.serverErrors, 0);
    const figures: Figure[] = [
      info(`${label}: bare express GET / requests/s`, ex!.rps, 'req/s'),
      // The same run's floor for the latency targets: 50 connections wait on each other here too.
      info(`${label}: bare express GET / p50`, ex!.p50, 'ms'),
      info(`${label}: bare express GET / p99`, ex!.p99, 'ms'),
      ...latencyFigures(`${label}: GET /api/v1/me`, me!, vsExpress('me'), 0),
      ...latencyFigures(`${label}: GET /threads/{id}/messages (first page, 50)`, page!, pageRatio, 0.5),
      ...latencyFigures(`${label}: POST /threads/{id}/messages`, postR!, vsExpress('post'), 0.3, 25),
      info(`${label}: json-server paged filtered read requests/s`, js!.rps, 'req/s'),
      info(`${label}: json-server vs bare express`, vsExpress('jsonServer'), 'ratio'),
      info(`${label}: our messages page vs json-server`, medianRatio(runs.page, runs.jsonServer), 'ratio'),
      below(`${label}: 5xx answers during the HTTP runs`, serverErrors, 'count', 1),
    ];

    // Sockets: `o.sockets` of alice (ten tokens), one of dave.
    const readTokens = await Promise.all(Array.from({ length: 10 }, () => mint(platform.url, 'alice', 'tunewave', ['messages:read'])));
    await crowd.connect(platform.url, readTokens, o.sockets);
    const dave = new SocketCrowd();
    await dave.connect(platform.url, [await mint(platform.url, 'dave', 'reelbox', ['messages:read'])], 1);
    const bob = await mint(platform.url, 'bob', 'tunewave', ['messages:write']);
    const toOne = await deliveryLatencies((i) => post(platform.url, bob, 't_bob_dave', `to dave ${i}`), (id) => dave.waitFor(id, 1));
    dave.close();
    const toAll = await deliveryLatencies(
      (i) => post(platform.url, bob, BIG_THREAD, `to everyone ${i}`),
      (id) => crowd.waitFor(id, o.sockets, 10_000),
    );
    // RSS once the platform has been idle long enough to give memory back (compactWhenIdle: the
    // compaction 1–2 s after the last request, then the young generation shrunk 6 s later).
    await new Promise((r) => setTimeout(r, settledAfterMs(loadConfig(process.env).MEMORY_COMPACT_IDLE_MS) + 1_000));
    const rss = await platform.rssMiB();
    figures.push(
      info(`${label}: POST → one recipient's socket, p50 (${o.sockets} other sockets connected)`, percentile(toOne, 50), 'ms'),
      below(`${label}: POST → one recipient's socket, p99 (${o.sockets} other sockets connected)`, percentile(toOne, 99), 'ms', 10),
      info(`${label}: POST → all ${o.sockets} sockets of one person, p50`, percentile(toAll, 50), 'ms'),
      below(`${label}: POST → all ${o.sockets} sockets of one person, p99`, percentile(toAll, 99), 'ms', 50),
      // 150 MB (the target's unit) in MiB, to the hundredth below: 143.05.
      below(`${label}: platform RSS with ${o.sockets} sockets after the runs`, rss, 'MiB', Math.floor((150 / 1.048576) * 100) / 100),
      below(`${label}: a socket got a message twice`, crowd.duplicates.length, 'count', 1),
    );

    // Mixed load: 170 sockets, ~42 posts/s and reads alongside; how late does a delivery arrive?
    crowd.shrinkTo(170);
    crowd.lateness.length = 0;
    const mixedSeconds = Math.max(3, o.seconds);
    const [writes, reads] = await Promise.all([
      load({ ...postOptions(platform.url, bob), duration: mixedSeconds, connections: 10, overallRate: 42 }),
      load({ url: `${platform.url}/api/v1/threads/${BIG_THREAD}/messages?limit=50`, headers: auth, duration: mixedSeconds, connections: 10, overallRate: 200 }),
    ]);
    await new Promise((r) => setTimeout(r, 1500)); // the last deliveries of the load
    figures.push(
      // The load asked for is the load measured: an overloaded machine (or bench process) that sends
      // less makes the lateness below meaningless, so a shortfall of more than 10 % is a miss.
      atLeast(`${label}: mixed load, posts/s (42 asked)`, writes.rps, 'req/s', (42 * 9) / 10),
      atLeast(`${label}: mixed load, reads/s (200 asked)`, reads.rps, 'req/s', (200 * 9) / 10),
      info(`${label}: mixed load, delivery lateness p99 (170 sockets)`, crowd.latenessP(99), 'ms'),
      below(`${label}: mixed load, latest delivery (170 sockets)`, Math.max(0, ...crowd.lateness), 'ms', 1000),
      below(`${label}: mixed load, 5xx answers`, writes.serverErrors + reads.serverErrors, 'count', 1),
    );
    return { figures, messagesPageRatio: pageRatio };
  } finally {
    crowd.close();
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

function postOptions(url: string, token: string, threadId = BIG_THREAD, text = 'mixed load') {
  return {
    url: `${url}/api/v1/threads/${threadId}/messages`, method: 'POST' as const,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text }),
  };
}
