/**
 * `npm run scenario -- <file.yaml> [--url URL [--admin-token T]] [--json] [--no-reset]`
 *
 * Runs a scenario file and prints a step-by-step report (or `--json`: the ScenarioReport). Without
 * `--url`, in an in-process sandbox built from the seed; with it, against that running platform
 * (admin token: `--admin-token`, else $ADMIN_TOKEN, else the demo token), reset first unless
 * `--no-reset`. Exit code: 0 every step passed, 1 a step failed, 2 the scenario could not run (bad
 * file, shown as `file:line: field: problem`; bad arguments; platform unreachable or admin token refused).
 */
// First: oidc-provider warns about Node 20 while it is imported; errors here are one line.
import '../quiet-runtime-warning.js';
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { fileProblem, oneLine } from '../../src/cli-errors.js';
import { DEMO_ADMIN_TOKEN } from '../../src/config.js';
import { createSandbox, type Sandbox } from '../sandbox.js';
import { parseScenario, ScenarioFileError } from './parse.js';
import { formatReport } from './report.js';
import { runScenario, type ScenarioTarget } from './run.js';

interface CliOptions {
  url?: string;
  adminToken?: string;
  json?: boolean;
  reset: boolean;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. Writes to stdout/stderr. */
async function main(argv: string[]): Promise<number> {
  const program = new Command('scenario')
    .description('Run a Glasshouse scenario file and report each step')
    .argument('<file>', 'scenario YAML file, e.g. seed/scenarios/demo-music.yaml')
    .option('--url <url>', 'run against the platform at this URL (default: an in-process sandbox of the seed)')
    .option('--admin-token <token>', 'admin token of that platform (default: $ADMIN_TOKEN, else the demo token)')
    .option('--json', 'print the report as JSON')
    .option('--no-reset', 'do not reset the world to the seed first')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const file = program.args[0]!;
  const options = program.opts<CliOptions>();

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    console.error(fileProblem(file, err));
    return 2;
  }
  let scenario;
  try {
    scenario = parseScenario(text, file);
  } catch (err) {
    if (!(err instanceof ScenarioFileError)) throw err;
    console.error(err.message);
    return 2;
  }

  let sandbox: Sandbox | undefined;
  try {
    let target: ScenarioTarget;
    if (options.url) {
      target = { url: options.url, adminToken: options.adminToken ?? process.env['ADMIN_TOKEN'] ?? DEMO_ADMIN_TOKEN };
    } else {
      target = sandbox = await createSandbox();
    }
    const report = await runScenario(scenario, target, { reset: options.reset });
    console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report, file));
    return report.ok ? 0 : 1;
  } catch (err) {
    console.error(`Cannot run ${file}: ${oneLine(err)}`);
    return 2;
  } finally {
    await sandbox?.close();
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`scenario: ${oneLine(err)}`);
  return 2;
});
