import { createAdminClient } from '../admin-client.js';
import { GlasshouseApiError } from '../../../partners/sdk/errors.js';
import type { Sandbox } from '../sandbox.js';
import type { RunContext, StepOutcome } from './context.js';
import type { ParsedScenario } from './parse.js';
import type { Step } from './schema.js';
import { checkTexts } from './state-expectations.js';
import { executeStep, intentOf } from './steps.js';

/** Where a scenario runs: a sandbox, or a running platform (`url` of its root and its `ADMIN_TOKEN`). */
export type ScenarioTarget = Sandbox | { url: string; adminToken: string };

export interface RunOptions {
  /** Start with `POST /admin/reset` (default true); false runs on the world as it is. */
  reset?: boolean;
}

/** One step's result. `status` is the HTTP status of its last API call, when it made one. */
export interface StepReport {
  /** 1-based line of the step in the file. */
  line: number;
  kind: Step['kind'];
  /** What happened, in one line. */
  summary: string;
  ok: boolean;
  status?: number;
  /** Why it failed (unexpected status, assertions that did not hold, an error). */
  error?: string;
}

/** A scenario run: `ok` when every step is. */
export interface ScenarioReport {
  name: string;
  ok: boolean;
  steps: StepReport[];
}

type PerStepExpect = {
  status?: number | undefined;
  contains?: string[] | undefined;
  notContains?: string[] | undefined;
  includes?: string[] | undefined;
  count?: number | undefined;
};

/** Failures of a successful call against its step's `expect` (status, contains, includes, count). */
function unmet(expected: PerStepExpect, outcome: StepOutcome, status: number | undefined): string[] {
  const failures = [...(outcome.failures ?? [])];
  if (expected.status !== undefined && status !== expected.status)
    failures.push(`expected status ${expected.status}, got ${status ?? 'none'}`);
  failures.push(...checkTexts('result', outcome.texts ?? [], expected.contains, expected.notContains));
  const missing = (expected.includes ?? []).filter((u) => !(outcome.usernames ?? []).includes(u));
  if (missing.length)
    failures.push(`missing ${missing.join(', ')} (got ${(outcome.usernames ?? []).join(', ') || 'nobody'})`);
  if (expected.count !== undefined && outcome.count !== expected.count)
    failures.push(`expected ${expected.count} items, got ${outcome.count ?? 0}`);
  return failures;
}

/** Runs one step and judges it: 2xx by default, or exactly `expect.status` (a refusal such as 404). */
async function runStep(ctx: RunContext, step: Step): Promise<StepReport> {
  const expected: PerStepExpect =
    typeof step.args === 'object' && step.kind !== 'expect' && 'expect' in step.args ? (step.args.expect ?? {}) : {};
  const base = { line: step.line, kind: step.kind };
  ctx.lastStatus = undefined;
  try {
    const outcome = await executeStep(ctx, step);
    // An expect step's status would be the admin API's, not the partner's: leave it out.
    const status = step.kind === 'expect' ? undefined : ctx.lastStatus;
    const failures = unmet(expected, outcome, status);
    return {
      ...base,
      summary: outcome.summary,
      ok: failures.length === 0,
      ...(status ? { status } : {}),
      ...(failures.length ? { error: failures.join('; ') } : {}),
    };
  } catch (err) {
    if (err instanceof GlasshouseApiError) {
      const refusal = `${err.status} ${err.code}: ${err.problem.detail}`;
      if (expected.status === err.status)
        return {
          ...base,
          summary: `${intentOf(step)}: refused as expected (${refusal})`,
          ok: true,
          status: err.status,
        };
      return {
        ...base,
        summary: `${intentOf(step)}: refused`,
        ok: false,
        status: err.status,
        error: `expected ${expected.status ? `status ${expected.status}` : 'success'}, got ${refusal}`,
      };
    }
    return {
      ...base,
      summary: `${intentOf(step)}: could not run`,
      ok: false,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

/**
 * Runs a parsed scenario against a sandbox or a running platform, step after step (a failed step
 * does not stop the run), through the SDK (as the partner) and the admin API (as people and admins).
 * First: `POST /admin/reset` unless `reset: false`, the scenario's policy if it names one, the
 * people (usernames → ids) and the access log so far (`expect.accessLog` counts only newer entries).
 * @returns the report; `ok` is false when any step failed.
 * @throws GlasshouseApiError or GlasshouseUnreachableError when that start fails (wrong admin token,
 *   nothing listening at the URL): the scenario could not run at all.
 */
export async function runScenario(
  scenario: ParsedScenario,
  target: ScenarioTarget,
  options: RunOptions = {},
): Promise<ScenarioReport> {
  const url = 'platformUrl' in target ? target.platformUrl : target.url.replace(/\/$/, '');
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    ctx.lastStatus = res.status;
    return res;
  };
  const ctx: RunContext = {
    url,
    admin: createAdminClient({ baseUrl: url, adminToken: target.adminToken, fetch: recordingFetch }),
    fetch: recordingFetch,
    lastStatus: undefined,
    people: new Map(),
    clients: new Map(),
    sent: [],
    earlierAccesses: new Set(),
  };
  if (options.reset ?? true) await ctx.admin.reset();
  if (scenario.policy) await ctx.admin.setPolicy(scenario.policy);
  for (const person of await ctx.admin.people()) ctx.people.set(person.username.toLowerCase(), person);
  for (const entry of await ctx.admin.accessLog({ limit: 10_000 })) ctx.earlierAccesses.add(entry.id);

  const steps: StepReport[] = [];
  for (const step of scenario.steps) steps.push(await runStep(ctx, step));
  return { name: scenario.name, ok: steps.every((s) => s.ok), steps };
}
