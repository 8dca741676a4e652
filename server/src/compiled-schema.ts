import { z } from 'zod';

// Derived from each schema alone (no state of any platform or store), so shared by all in the process.
const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * `schema` compiled with zod's own `z.compile` (the same answers and issues from a parser generated
 * for it, several times faster, most of all on arrays: README "Performance"), once, on first use:
 * for the hot paths, request input (`parseInput`) and the rows the store writes and replays.
 */
export function compiledSchema<S extends z.ZodType>(schema: S): S {
  let fast = compiledSchemas.get(schema);
  if (!fast) compiledSchemas.set(schema, (fast = z.compile(schema)));
  return fast as S;
}
