import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseScenario, type ParsedScenario } from '../../../server/testkit/scenario/parse.js';

/** The shipped scenario files (relative to the repository root, where jest runs). */
export const SCENARIO_DIR = 'seed/scenarios';
export const SHIPPED = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** The text of `seed/scenarios/<file>`. */
export function scenarioText(file: string): string {
  return readFileSync(path.join(SCENARIO_DIR, file), 'utf8');
}

/** `seed/scenarios/<file>` parsed, optionally after editing its text. */
export function shipped(file: string, edit: (text: string) => string = (t) => t): ParsedScenario {
  return parseScenario(edit(scenarioText(file)), file);
}

/** What a finished CLI run printed and returned. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the scenario CLI (`node --import tsx server/testkit/scenario/cli.ts …args`, as `npm run
 * scenario` does) and resolves when it exits; rejects if it is still running after `ms`.
 */
export function runCli(args: string[], ms = 25_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/testkit/scenario/cli.ts', ...args], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`scenario CLI still running after ${ms} ms (did it not close its sandbox?)\n${stdout}\n${stderr}`),
      );
    }, ms);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
