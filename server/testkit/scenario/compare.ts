import type { ClientExposure } from '../admin-types.js';
import { createSandbox } from '../sandbox.js';
import { parseScenario, type ParsedScenario } from './parse.js';
import { runScenario, type StepReport } from './run.js';

/** One policy's run of a scenario: what each step got, and what each client was exposed to. */
export interface PolicyRun {
  mode: 'broad' | 'least-privilege';
  steps: StepReport[];
  exposure: ClientExposure[];
}

/**
 * Runs the same scenario twice, in two fresh in-process sandboxes from the seed: once under `broad`
 * and once under `least-privilege` (its own `set-policy` and `expect` steps are left out, since they
 * assert one policy). Steps that the stricter policy refuses are reported with their status, not as
 * failures. Takes about as long as two runs (typically well under a second).
 */
export async function compareScenario(
  scenario: ParsedScenario,
): Promise<{ name: string; runs: [PolicyRun, PolicyRun] }> {
  const steps = scenario.steps
    .filter((s) => s.kind !== 'set-policy' && s.kind !== 'expect')
    .map((s) =>
      typeof s.args === 'object' && 'expect' in s.args ? { ...s, args: { ...s.args, expect: undefined } } : s,
    ) as ParsedScenario['steps'];
  const run = async (mode: PolicyRun['mode']): Promise<PolicyRun> => {
    const sandbox = await createSandbox({ policy: mode });
    try {
      const report = await runScenario({ ...scenario, policy: mode, steps }, sandbox);
      return { mode, steps: report.steps, exposure: await sandbox.admin.exposure() };
    } finally {
      await sandbox.close();
    }
  };
  return { name: scenario.name, runs: [await run('broad'), await run('least-privilege')] };
}

/**
 * `compareScenario` of a scenario file's text (`file` names it in errors): the `ScenarioComparer` that
 * the composition root hands to `createPlatform({ compare })` for `/monitor/compare`.
 * @throws ScenarioFileError when the text is not a valid scenario.
 */
export async function compareScenarioFile(
  text: string,
  file: string,
): Promise<{ name: string; runs: [PolicyRun, PolicyRun] }> {
  return compareScenario(parseScenario(text, file));
}
