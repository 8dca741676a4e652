import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type RequestHandler } from 'express';
import { NotFoundError } from '../errors.js';
import type { Renderer } from '../web/render.js';

/** Where the shipped scenarios live. */
export const SCENARIOS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../seed/scenarios');
const NAME = /^[a-z0-9][a-z0-9-]{0,80}$/;

/** Names of the shipped scenario files (without `.yaml`), sorted. */
export async function shippedScenarios(dir = SCENARIOS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/**
 * GET /monitor/compare[?scenario=<name>] — the same scripted story under `broad` and under
 * `least-privilege`, side by side: what each step got, and each client's exposure. Each run happens
 * in its own fresh in-process sandbox (nothing here touches the running world). 404 for an unknown
 * scenario name.
 */
export function compareRoutes(deps: { render: Renderer; guard: RequestHandler }): Router {
  const router = Router();
  router.get('/monitor/compare', deps.guard, async (req, res) => {
    const scenarios = await shippedScenarios();
    const requested = req.query['scenario'];
    const selected = typeof requested === 'string' && requested !== '' ? requested : undefined;
    if (!selected) return deps.render.page(req, res, 'compare', { title: 'Compare policies', scenarios, selected: undefined });
    if (!NAME.test(selected) || !scenarios.includes(selected)) throw new NotFoundError(`No shipped scenario "${selected}"`);
    // Loaded on demand: the scenario runner builds sandboxes with createPlatform itself.
    const { parseScenario } = await import('../../testkit/scenario/parse.js');
    const { compareScenario } = await import('../../testkit/scenario/compare.js');
    const file = path.join(SCENARIOS_DIR, `${selected}.yaml`);
    const result = await compareScenario(parseScenario(await readFile(file, 'utf8'), file));
    const [broad, strict] = result.runs;
    const clientIds = [...new Set(broad.exposure.map((x) => x.clientId))].filter((id) =>
      [broad, strict].some((r) => (r.exposure.find((x) => x.clientId === id)?.accesses ?? 0) > 0),
    );
    const clients = clientIds.map((id) => ({ id, broad: broad.exposure.find((x) => x.clientId === id)!, strict: strict.exposure.find((x) => x.clientId === id)! }));
    const steps = broad.steps.map((s, i) => ({ line: s.line, summary: s.summary, broad: s.status, strict: strict.steps[i]?.status, strictSummary: strict.steps[i]?.summary }));
    deps.render.page(req, res, 'compare', { title: `Compare: ${result.name}`, scenarios, selected, name: result.name, clients, steps });
  });
  return router;
}
