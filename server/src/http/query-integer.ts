import { z } from 'zod';
import 'zod-openapi'; // types for the OpenAPI members of `.meta()`

/**
 * A whole number in a query string, in decimal digits only, from `min` to `max`. `z.coerce.number()`
 * also took `''` and a bare `?limit` (as 0), `' 5'`, `'0x10'` and `'1e3'` (found by a newcomer).
 * Refused with one message that gives the range (400 problem+json at the edges). The OpenAPI
 * documents call it what it is: an integer from `min` to `max`.
 */
export function queryInteger({ min, max }: { min: number; max: number }) {
  const range = `a whole number from ${min} to ${max}, in decimal digits`;
  return z
    .string()
    .regex(/^\d{1,16}$/, `Expected ${range}`)
    .meta({
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        delete jsonSchema.pattern;
        Object.assign(jsonSchema, { type: 'integer', minimum: min, maximum: max });
      },
    })
    .transform(Number)
    .pipe(z.number().min(min, `Expected ${range}`).max(max, `Expected ${range}`));
}
