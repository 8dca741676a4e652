/**
 * `npm run test:soak` (not part of `npm test`): the real platform as a child process, 200 partner
 * sockets (Tunewave, `messages:read`) of the people of "Weekend plans", and a steady stream of posts
 * into that thread for 5 minutes, so that every post is delivered to (and logged for) every socket;
 * each post is deleted once answered, so the thread itself stays the same size.
 * Every few seconds it prints the data file, the journal and the platform's RSS: with retention,
 * purge and background compaction (README "Retention") the three level off instead of growing.
 *
 * Settings (environment): SOAK_SECONDS (300), SOAK_SOCKETS (200), SOAK_POSTS_PER_SECOND (5),
 * SOAK_SAMPLES (20), SOAK_NODE_OPTIONS (the platform's NODE_OPTIONS, e.g. `--max-old-space-size=256` to
 * show the heap is bounded rather than merely lazily collected); any platform setting (ACCESS_LOG_KEEP_ENTRIES, HOUSEKEEPING_INTERVAL_SECONDS,
 * JOURNAL_COMPACT_BYTES — 1 MiB here unless set, 8 MiB in the platform's defaults; ACCESS_LOG_KEEP_ENTRIES — 2,000 here, 10,000 there…) is passed on to the platform.
 */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { startPlatformProcess } from '../helpers/platform-process.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = num('SOAK_SECONDS', 300);
const SOCKETS = num('SOAK_SOCKETS', 200);
const POSTS_PER_SECOND = num('SOAK_POSTS_PER_SECOND', 5);
const SAMPLES = num('SOAK_SAMPLES', 20);
const PEOPLE = ['alice', 'bob', 'carol', 'erin'];
const passOn = [
  'ACCESS_LOG_KEEP_ENTRIES',
  'ACCESS_LOG_KEEP_HOURS',
  'HOUSEKEEPING_INTERVAL_SECONDS',
  'JOURNAL_COMPACT_BYTES',
];

const dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-soak-'));
const dataFile = path.join(dir, 'glasshouse.json');
const env = Object.fromEntries(passOn.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
// The platform folds its journal past 8 MiB by default; at this load that takes ~15 minutes, so the
// soak folds past 1 MiB (unless told otherwise) to show several background compactions in 5 minutes.
env['JOURNAL_COMPACT_BYTES'] ??= String(1024 * 1024);
// Likewise a smaller raw access-log window (platform default 10,000) so that it fills within the run.
env['ACCESS_LOG_KEEP_ENTRIES'] ??= '2000';
if (process.env['SOAK_NODE_OPTIONS']) env['NODE_OPTIONS'] = process.env['SOAK_NODE_OPTIONS']; // e.g. --max-old-space-size=256
const gh = await startPlatformProcess(dataFile, env);
const sockets: Socket[] = [];
let delivered = 0;
let posted = 0;
let refused = 0;
/** Why posts were not answered 201: status code or error, with counts. */
const refusals = new Map<string, number>();
const refuse = (why: string) => {
  refused++;
  refusals.set(why, (refusals.get(why) ?? 0) + 1);
};

const size = (file: string) =>
  stat(file).then(
    (s) => s.size,
    () => 0,
  );
async function sample(t: number) {
  const journal = (await readdir(dir)).filter((f) => f.includes('.journal'));
  const journalBytes = (await Promise.all(journal.map((f) => size(path.join(dir, f))))).reduce((a, b) => a + b, 0);
  const status = await readFile(`/proc/${gh.child.pid}/status`, 'utf8').catch(() => '');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    t,
    dataKb: Math.round((await size(dataFile)) / 1024),
    journalKb: Math.round(journalBytes / 1024),
    rssMb: Math.round(rssKb / 1024),
    posted,
    delivered,
    refused,
  };
}

try {
  const tokens = await Promise.all(
    PEOPLE.map((p) => gh.token(p, ['messages:read', 'messages:write', 'messages:delete'])),
  );
  for (let i = 0; i < SOCKETS; i++) {
    const socket = io(`${gh.url}/partners`, {
      auth: { token: tokens[i % tokens.length] },
      transports: ['websocket'],
      reconnection: false,
    });
    socket.on('message:created', () => delivered++);
    sockets.push(socket);
  }
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        }),
    ),
  );
  console.log(
    `soak: ${SOCKETS} sockets, ${POSTS_PER_SECOND} posts/s, ${SECONDS} s, data in ${dir}${Object.keys(env).length ? `, ${JSON.stringify(env)}` : ''}`,
  );
  console.log('   t(s)  data(KB)  journal(KB)  rss(MB)   posts  deliveries  refused');
  const start = Date.now();
  const rows: Awaited<ReturnType<typeof sample>>[] = [];
  let nextSample = 0;
  const poster = setInterval(() => {
    const token = tokens[posted % tokens.length];
    posted++;
    void fetch(`${gh.url}/api/v1/threads/g_weekend/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: `soak ${posted}` }),
    }).then(
      async (res) => {
        if (res.status !== 201) return refuse(String(res.status));
        // Delivered and logged at once; deleting it keeps the thread steady, so what the files hold
        // over time is what retention keeps, not the soak's own messages piling up.
        const { id } = (await res.json()) as { id: string };
        const gone = await fetch(`${gh.url}/api/v1/messages/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
        });
        if (gone.status !== 204) refuse(`delete ${gone.status}`);
      },
      (err: Error) => refuse(err.message),
    );
  }, 1000 / POSTS_PER_SECOND);
  while (Date.now() - start < SECONDS * 1000) {
    const t = (Date.now() - start) / 1000;
    if (t >= nextSample) {
      const row = await sample(Math.round(t));
      rows.push(row);
      console.log(
        [row.t, row.dataKb, row.journalKb, row.rssMb, row.posted, row.delivered, row.refused]
          .map((v, i) => String(v).padStart([7, 10, 13, 9, 8, 12, 9][i]!))
          .join(''),
      );
      nextSample += SECONDS / SAMPLES;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  clearInterval(poster);
  const last = await sample(SECONDS);
  rows.push(last);
  const curve = (key: 'dataKb' | 'journalKb' | 'rssMb') => rows.map((r) => r[key]).join(' ');
  console.log(
    `\ndata file (KB): ${curve('dataKb')}\njournal (KB):   ${curve('journalKb')}\nRSS (MB):       ${curve('rssMb')}`,
  );
  console.log(
    `posted ${posted}, refused ${refused}${refused ? ` (${[...refusals].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}, delivered ${delivered}`,
  );
} finally {
  for (const s of sockets) s.close();
  await gh.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
