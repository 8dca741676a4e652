import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, stepKinds, stepSchemas, type Scenario, type Step, type StepKind } from './schema.js';

/** A scenario file that cannot be used; `line` (1-based) and `field` point at the problem. */
export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
  constructor(readonly file: string, readonly line: number, readonly field: string, problem: string) {
    super(`${file}:${line}: ${field ? `${field}: ` : ''}${problem}`);
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

/**
 * Parses and validates scenario YAML. Steps are checked one by one, so an error names the step's own
 * field (`steps.2.play.title`) and its line, e.g. `demo.yaml:14: steps.2.play.title: Required`.
 * @throws ScenarioFileError for YAML syntax errors, unknown steps, wrong fields or types.
 */
export function parseScenario(text: string, file = 'scenario.yaml'): ParsedScenario {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) throw new ScenarioFileError(file, counter.linePos(syntax.pos[0]).line, '', syntax.message.split('\n')[0]!);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }); // refuses "billion laughs" alias bombs
  } catch (err) {
    throw new ScenarioFileError(file, 1, '', `cannot be read: ${(err as Error).message}`);
  }

  // An unknown field explains a "missing" one (a typo), so it is reported first.
  const fail = (issues: z.core.$ZodIssue[], prefix: PropertyKey[] = []): never => {
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const path = [...prefix, ...issue.path, issue.keys[0]!];
      throw new ScenarioFileError(file, lineOf(doc, counter, path), path.join('.'), `unknown field "${issue.keys[0]}"`);
    }
    const path = [...prefix, ...issue.path];
    // zod says "expected string, received undefined" for a field that is simply not there.
    const missing = issue.code === 'invalid_type' && path.length > 0 && !doc.hasIn(path as unknown[]);
    throw new ScenarioFileError(file, lineOf(doc, counter, path), path.join('.'), missing ? `required (${issue.expected})` : issue.message);
  };

  // Validate steps individually first for precise messages.
  const rawSteps = (raw as { steps?: unknown })?.steps;
  const steps: Step[] = [];
  if (Array.isArray(rawSteps)) {
    rawSteps.forEach((rawStep: unknown, index) => {
      const at = ['steps', index];
      const node = doc.getIn(at, true);
      const keys = rawStep && typeof rawStep === 'object' && !Array.isArray(rawStep) ? Object.keys(rawStep) : [];
      if (!isMap(node) || keys.length !== 1) {
        throw new ScenarioFileError(file, lineOf(doc, counter, at), at.join('.'), `a step is an object with exactly one key, one of: ${stepKinds.join(', ')}`);
      }
      const kind = keys[0] as StepKind;
      if (!stepKinds.includes(kind)) {
        throw new ScenarioFileError(file, lineOf(doc, counter, at), at.join('.'), `unknown step "${kind}"; expected one of: ${stepKinds.join(', ')}`);
      }
      const parsed = stepSchemas[kind].safeParse((rawStep as Record<string, unknown>)[kind]);
      if (!parsed.success) fail(parsed.error.issues, [...at, kind]);
      steps.push({ kind, args: parsed.data, line: lineOf(doc, counter, at) } as Step);
    });
  }
  const whole = scenarioSchema.safeParse(raw);
  if (!whole.success) fail(whole.error.issues);
  const scenario = whole.data!;
  return { name: scenario.name, description: scenario.description, policy: scenario.policy, steps };
}
