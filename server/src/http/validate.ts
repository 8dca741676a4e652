import type { z } from 'zod';
import { compiledSchema } from '../compiled-schema.js';
import { ValidationError } from '../errors.js';
import { issueMessage, valueAt } from '../issue-message.js';

/**
 * Parses request input (`where`: `path`, `query` or `body`) with `schema`; with no schema there is
 * nothing to parse (undefined), and a query that names anything is refused.
 * @throws ValidationError (400 problem details) listing each issue with its path, e.g. `body.text`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S>;
export function parseInput(schema: z.ZodType | undefined, value: unknown, where: string): unknown;
export function parseInput(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) {
    // A route that takes no query refuses one, as strict schemas refuse unknown keys.
    const keys = where === 'query' && value && typeof value === 'object' ? Object.keys(value) : [];
    if (keys.length)
      throw new ValidationError(keys.map((k) => ({ path: `${where}.${k}`, message: 'Unrecognized key' })));
    return undefined;
  }
  const parsed = compiledSchema(schema).safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(inputIssues(parsed.error, value, where));
}

type Issue = z.core.$ZodIssue;

/**
 * The issues of refused input as a caller can act on them, one per field: zod reports every check
 * that failed, so a string given for a list also failed the list's length, and `1e300` both "a safe
 * integer" and the field's own maximum. A wrong type hides the other issues of its field, the
 * tightest bound hides the looser ones, a number given as text that is none says what it got (not
 * "received NaN"), a field that is not there says `Required (string)` (`issueMessage`), and where a
 * field can be repeated by mistake (a query parameter, a form field: `?limit=1&limit=2` is parsed as
 * a list) a list given for one value is named as such.
 * @param input the value parsed; `where` prefixes each path (`body.text`); `repeatable` (always for
 * `where` = `query`): the input comes from a query string or a form.
 * @returns `{ path, message }` per issue, in zod's order, for `ValidationError` (400 problem details).
 */
export function inputIssues(
  error: z.ZodError,
  input: unknown,
  where?: string,
  { repeatable = where === 'query' }: { repeatable?: boolean } = {},
): { path: string; message: string }[] {
  const byPath = new Map<string, Issue[]>();
  for (const issue of error.issues) {
    const key = JSON.stringify(issue.path);
    byPath.set(key, [...(byPath.get(key) ?? []), issue]);
  }
  return [...byPath.values()].flatMap((issues) => {
    const path = [...(where ? [where] : []), ...issues[0]!.path.map(String)].join('.');
    const given = valueAt(input, issues[0]!.path);
    if (repeatable && Array.isArray(given)) return [{ path, message: `Given ${given.length} times: give it once` }];
    const wrongType = issues.find((i) => i.code === 'invalid_type');
    if (wrongType) {
      const numeric = wrongType.expected === 'number' || wrongType.expected === 'int';
      const wanted = wrongType.expected === 'int' && !Number.isNaN(Number(given)) ? 'a whole number' : 'a number';
      const message =
        numeric && typeof given === 'string'
          ? `Expected ${wanted}, got ${JSON.stringify(given.slice(0, 40))}`
          : issueMessage(wrongType, input);
      return [{ path, message }];
    }
    return tightest(issues).map((i) => ({ path, message: issueMessage(i, input) }));
  });
}

/** `issues` of one field without the bounds a tighter one of the same kind implies. */
function tightest(issues: Issue[]): Issue[] {
  const maxOf = (i: Issue) => (i.code === 'too_big' ? Number(i.maximum) : Infinity);
  const minOf = (i: Issue) => (i.code === 'too_small' ? Number(i.minimum) : -Infinity);
  const lowestMax = Math.min(...issues.map(maxOf));
  const highestMin = Math.max(...issues.map(minOf));
  const kept = issues.filter(
    (i) => (i.code !== 'too_big' || maxOf(i) === lowestMax) && (i.code !== 'too_small' || minOf(i) === highestMin),
  );
  // Two checks of the same bound (an int's and a number's) say it once.
  const bound = (i: Issue) => i.code === 'too_big' || i.code === 'too_small';
  return kept.filter((i, n) => !bound(i) || kept.findIndex((j) => j.code === i.code) === n);
}
