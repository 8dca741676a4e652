import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { clientExposureSchema } from '../admin/admin-schemas.js';
import { NotFoundError } from '../errors.js';
import type { PolicyMode } from '../store/schema.js';
import type { Renderer } from '../web/render.js';

/** Where the shipped scenarios live. */
export const SCENARIOS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../seed/scenarios');
const NAME = /^[a-z0-9][a-z0-9-]{0,80}$/;

/** One policy's run of a scenario, as the compare view shows it: each step's outcome, each client's exposure. */
export interface PolicyRunSummary {
  mode: PolicyMode;
  /** In file order; `status` is the HTTP status the step got, if it made a call. */
  steps: { line: number; summary: string; status?: number }[];
  /** As `GET /admin/exposure` answers it. */
  exposure: z.infer<typeof clientExposureSchema>[];
}

/**
 * Runs a scenario file's text (`file` names it in errors) under `broad` and under `least-privilege`,
 * each in a fresh platform of its own. The platform cannot build platforms itself without an import
 * cycle, so the composition root hands one in: `compareScenarioFile` of `server/testkit/`; see
 * README, "Layers and the direction of imports".
 */
export type ScenarioComparer = (
  text: string,
  file: string,
) => Promise<{ name: string; runs: [PolicyRunSummary, PolicyRunSummary] }>;

/** Names of the shipped scenario files (without `.yaml`), sorted. */
export async function shippedScenarios(dir = SCENARIOS_DIR): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * GET /monitor/compare[?scenario=<name>] — the same scripted story under `broad` and under
 * `least-privilege`, side by side: what each step got, and each client's exposure. Each run happens
 * in its own fresh in-process sandbox (nothing here touches the running world). 404 for an unknown
 * scenario name, or when this platform was built without a `compare` (only the list is shown then).
 */
export function compareRoutes(deps: { render: Renderer; guard: RequestHandler; compare?: ScenarioComparer }): Router {
  const router = Router();
  router.get('/monitor/compare', deps.guard, async (req, res) => {
    const scenarios = await shippedScenarios();
    const requested = req.query['scenario'];
    const selected = typeof requested === 'string' && requested !== '' ? requested : undefined;
    if (!selected)
      return deps.render.page(req, res, 'compare', { title: 'Compare policies', scenarios, selected: undefined });
    if (!NAME.test(selected) || !scenarios.includes(selected))
      throw new NotFoundError(`No shipped scenario "${selected}"`);
    if (!deps.compare)
      throw new NotFoundError('Comparing scenarios is not available on this platform (built without the testkit)');
    const file = path.join(SCENARIOS_DIR, `${selected}.yaml`);
    const result = await deps.compare(await readFile(file, 'utf8'), file);
    const [broad, strict] = result.runs;
    const clientIds = [...new Set(broad.exposure.map((x) => x.clientId))].filter((id) =>
      [broad, strict].some((r) => (r.exposure.find((x) => x.clientId === id)?.accesses ?? 0) > 0),
    );
    const clients = clientIds.map((id) => ({
      id,
      broad: broad.exposure.find((x) => x.clientId === id)!,
      strict: strict.exposure.find((x) => x.clientId === id)!,
    }));
    const steps = broad.steps.map((s, i) => ({
      line: s.line,
      summary: s.summary,
      broad: s.status,
      strict: strict.steps[i]?.status,
      strictSummary: strict.steps[i]?.summary,
    }));
    deps.render.page(req, res, 'compare', {
      title: `Compare: ${result.name}`,
      scenarios,
      selected,
      name: result.name,
      clients,
      steps,
    });
  });
  return router;
}
