import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import { z } from 'zod';
import { issueMessage } from '../../src/issue-message.js';
import { scenarioSchema, stepKinds, stepSchemas, type Scenario, type Step, type StepKind } from './schema.js';

/** One thing wrong in a scenario file: its line (1-based), the field's path, and the problem. */
export interface ScenarioProblem {
  line: number;
  field: string;
  problem: string;
}

/**
 * A scenario file that cannot be used. `problems` lists every problem found, by line; the message
 * has one `file:line: field: problem` line each. `line` and `field` are the first problem's.
 */
export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
  readonly line: number;
  readonly field: string;
  constructor(
    readonly file: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(problems.map((p) => `${file}:${p.line}: ${p.field ? `${p.field}: ` : ''}${p.problem}`).join('\n'));
    this.line = problems[0]?.line ?? 1;
    this.field = problems[0]?.field ?? '';
  }
}

export interface ParsedScenario {
  name: string;
  description?: string | undefined;
  policy?: Scenario['policy'];
  steps: Step[];
}

function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number {
  // Walk up the path until a node with a source range exists.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
  }
  return 1;
}

/** The top level with each step left unchecked (steps are checked one by one, for precise paths). */
const topLevelSchema = scenarioSchema.extend({ steps: z.array(z.unknown()).min(1) });

/**
 * Parses and validates scenario YAML, reporting every problem at once: each step is checked on its
 * own, so a problem names the step's own field (`steps.2.play.title`) and its line, e.g.
 * `demo.yaml:14: steps.2.play.title: Required (string)`. Within a step, an unknown field is reported
 * instead of the "missing" one it explains (a typo).
 * @throws ScenarioFileError listing YAML syntax errors, or else every unknown step, unknown or
 *   missing field and wrong type, in line order.
 */
export function parseScenario(text: string, file = 'scenario.yaml'): ParsedScenario {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ScenarioFileError(
      file,
      doc.errors.map((e) => ({ line: counter.linePos(e.pos[0]).line, field: '', problem: e.message.split('\n')[0]! })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }); // refuses "billion laughs" alias bombs
  } catch (err) {
    throw new ScenarioFileError(file, [{ line: 1, field: '', problem: `cannot be read: ${(err as Error).message}` }]);
  }

  const problems: ScenarioProblem[] = [];
  const report = (issues: z.core.$ZodIssue[], prefix: PropertyKey[] = []) => {
    const unknown = issues.filter((i) => i.code === 'unrecognized_keys');
    for (const issue of unknown.length ? unknown : issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = [...prefix, ...issue.path, key];
          problems.push({ line: lineOf(doc, counter, path), field: path.join('.'), problem: `unknown field "${key}"` });
        }
        continue;
      }
      const path = [...prefix, ...issue.path];
      problems.push({
        line: lineOf(doc, counter, path),
        field: path.join('.'),
        problem: issueMessage({ ...issue, path }, raw),
      });
    }
  };

  const rawSteps = (raw as { steps?: unknown })?.steps;
  const steps: Step[] = [];
  if (Array.isArray(rawSteps)) {
    rawSteps.forEach((rawStep: unknown, index) => {
      const at = ['steps', index];
      const line = lineOf(doc, counter, at);
      const keys = rawStep && typeof rawStep === 'object' && !Array.isArray(rawStep) ? Object.keys(rawStep) : [];
      if (!isMap(doc.getIn(at, true)) || keys.length !== 1) {
        problems.push({
          line,
          field: at.join('.'),
          problem: `a step is an object with exactly one key, one of: ${stepKinds.join(', ')}`,
        });
        return;
      }
      const kind = keys[0] as StepKind;
      if (!stepKinds.includes(kind)) {
        problems.push({
          line,
          field: at.join('.'),
          problem: `unknown step "${kind}"; expected one of: ${stepKinds.join(', ')}`,
        });
        return;
      }
      const parsed = stepSchemas[kind].safeParse((rawStep as Record<string, unknown>)[kind]);
      if (parsed.success) steps.push({ kind, args: parsed.data, line } as Step);
      else report(parsed.error.issues, [...at, kind]);
    });
  }
  const whole = topLevelSchema.safeParse(raw);
  if (!whole.success) report(whole.error.issues);
  if (problems.length)
    throw new ScenarioFileError(
      file,
      problems.sort((a, b) => a.line - b.line),
    );
  const scenario = whole.data!;
  return { name: scenario.name, description: scenario.description, policy: scenario.policy, steps };
}
