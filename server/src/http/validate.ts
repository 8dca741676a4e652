import type { z } from 'zod';
import { compiledSchema } from '../compiled-schema.js';
import { ValidationError } from '../errors.js';

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
  throw new ValidationError(
    parsed.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })),
  );
}
