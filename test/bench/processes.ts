import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// The children run compiled (`npm run build`, which `npm run bench` runs first), with plain node: as
// `npm start` runs the platform, without a TypeScript loader in the measured process.
const compiled = import.meta.url.endsWith('.js') ? here : path.resolve(here, '../../dist/test/bench');
const root = path.resolve(compiled, '../../..');

/**
 * How package.json's "start" script runs node: the environment it sets before `node` (e.g.
 * `MALLOC_ARENA_MAX=1`) and node's options (e.g. `--expose-gc`), so that the platform is measured as
 * `npm start` runs it, from that one source.
 * @throws Error when the script has another shape than `[NAME=value …] exec node [--option …] <entry>.js`.
 */
function startCommand(): { env: Record<string, string>; nodeOptions: string[] } {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const script = pkg.scripts['start']!;
  // Exactly: NAME=value settings (no quotes or $), exec node, --options (no separate values), one entry.
  const shape = /^((?:[A-Za-z_]\w*=[^\s'"$]* )*)exec node((?: --[\w-]+(?:=[^\s'"$]+)?)*) [^\s-][^\s]*\.js$/.exec(script);
  if (!shape)
    throw new Error(`package.json's start script is not "[NAME=value …] exec node [--option …] <entry>.js": ${script}`);
  const settings = shape[1]!.trim().split(' ').filter(Boolean);
  const env = Object.fromEntries(settings.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { env, nodeOptions: shape[2]!.trim().split(' ').filter(Boolean) };
}

/** A server in its own process on 127.0.0.1, started by `child-<kind>.ts` (compiled); `ready` once it prints its port. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Resident set size of the process (MiB, from /proc). */
  rssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts `dist/test/bench/child-<kind>.js` with `env` (the platform as `npm start` runs node); resolves when it prints `ready <port>`. With
 * `BENCH_PROFILE_DIR` set, the platform runs with `--cpu-prof` and leaves its profile there on exit.
 * @throws Error naming `npm run build` when the compiled child is missing.
 */
export function startServer(kind: 'platform' | 'express' | 'json-server' | 'socketio', env: Record<string, string>, cwd?: string): Promise<ServerProcess> {
  const profileDir = kind === 'platform' ? process.env['BENCH_PROFILE_DIR'] : undefined;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const script = path.join(compiled, `child-${kind}.js`);
  if (!existsSync(script)) return Promise.reject(new Error(`${script} is missing: run \`npm run build\` first`));
  const start = kind === 'platform' ? startCommand() : { env: {}, nodeOptions: [] };
  const child: ChildProcess = spawn(process.execPath, [...start.nodeOptions, ...profile, script], {
    env: { ...process.env, ...start.env, ...env, NODE_ENV: 'production' },
    ...(cwd ? { cwd } : {}),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${kind} did not start within 60 s`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${m[1]}`,
        pid: child.pid!,
        async rssMiB() {
          const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
          return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
        },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
