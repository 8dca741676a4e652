import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../server/src/http/startup.js';
import { DEMO_ADMIN_TOKEN } from '../../server/src/config.js';
import { childEnv } from './crash.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `npm start`'s entry point as a real child process on free ports, from the sources (`node --import tsx server/main.ts`: jest needs no build). */
export interface PlatformProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | string>;
  /** An access token minted through the admin API. */
  token(username: string, scopes: string[], clientId?: string): Promise<string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts the platform with `DATA_FILE=dataFile` and resolves once it prints that it is running.
 * @throws Error with its output when it exits first (a refused start).
 */
export async function startPlatformProcess(
  dataFile: string,
  env: Record<string, string> = {},
): Promise<PlatformProcess> {
  // A free port is picked before the child binds it, seconds later: another test's process may take it
  // meanwhile. That start is refused in one line naming the port; it is tried again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(dataFile, env);
    } catch (err) {
      if (attempt >= 3 || !/port \d+ is already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startOnFreePorts(dataFile: string, env: Record<string, string>): Promise<PlatformProcess> {
  const [platformPort, tunewavePort, reelboxPort] = [await freePort(), await freePort(), await freePort()];
  const url = `http://127.0.0.1:${platformPort}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: childEnv({
      DATA_FILE: dataFile,
      PLATFORM_PORT: String(platformPort),
      TUNEWAVE_PORT: String(tunewavePort),
      REELBOX_PORT: String(reelboxPort),
      PLATFORM_URL: url,
      LOG_LEVEL: 'silent',
      API_RATE_LIMIT: '1000000',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const running = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Glasshouse is running')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const first = await Promise.race([running.then(() => 'running' as const), exited]);
  if (first !== 'running') throw new Error(`the platform exited (${first}) before it was running:\n${output}`);
  return {
    url,
    child,
    output: () => output,
    exited,
    async token(username, scopes, clientId = 'tunewave') {
      const res = await fetch(`${url}/admin/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEMO_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username, clientId, scopes }),
      });
      if (!res.ok) throw new Error(`minting a token failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}

/** The lines a child process printed, without oidc-provider's runtime warning (on Node 20, see the README's first lines). */
export const outputLines = (output: string): string[] =>
  output
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('oidc-provider WARNING'));

/** Runs the platform on `dataFile` expecting a refused start; resolves with its exit code and output. */
export async function refusedStart(dataFile: string): Promise<{ code: number | string; output: string }> {
  try {
    const started = await startPlatformProcess(dataFile);
    await started.kill('SIGTERM');
    throw new Error('the platform started, but a refusal was expected');
  } catch (err) {
    const match = /exited \((\w+)\) before it was running:\n([\s\S]*)$/.exec((err as Error).message);
    if (!match) throw err;
    return { code: Number.isNaN(Number(match[1])) ? match[1]! : Number(match[1]), output: match[2]! };
  }
}
