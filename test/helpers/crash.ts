import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AccessEntry } from '../../server/src/store/schema.js';
import type { CrashPlan } from './store-child.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The environment of a child Node process: ours without jest's NODE_OPTIONS. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  return { ...env, ...extra };
}

/**
 * A real crash: a child process opens the file store on `dataFile`, makes the changes of `plan`,
 * and is SIGKILLed as soon as it reports them acknowledged (no close, no compaction, its lock left
 * behind). Resolves with what the child reported, once it is dead.
 */
export async function writeThenCrash(dataFile: string, plan: CrashPlan): Promise<{ entries: AccessEntry[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'test/helpers/store-child.ts'), dataFile, JSON.stringify(plan)],
    {
      cwd: root,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const report = JSON.parse(line) as { durable: { entries: AccessEntry[] } };
    child.kill('SIGKILL');
    await exited;
    return report.durable;
  }
  await exited;
  throw new Error(`the store child exited before acknowledging its writes: ${stderr.trim()}`);
}
