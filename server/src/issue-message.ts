import type { z } from 'zod';

/**
 * The message of a zod `issue` about `input` (the whole value parsed), on one line: a field that is
 * not there says `Required (string)` (or `Required (one of "a"|"b")`) where zod says "Invalid input: expected string, received
 * undefined". One wording for every place that turns zod's issues into words: request input, forms,
 * config (http/validate.ts), data and journal files (store/), scenario files (testkit).
 */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  // Left out: a value of a type, or one of a list (`mode` of a policy) — or no body at all.
  if (valueAt(input, issue.path) === undefined) {
    if (issue.code === 'invalid_type') return `Required (${issue.expected})`;
    if (issue.code === 'invalid_value')
      return `Required (one of ${issue.values.map((v) => JSON.stringify(v)).join('|')})`;
  }
  return issue.message.split('\n')[0]!;
}

/** `issue` as one line, `field: message` (`(root)` for the whole value), about `input` (`issueMessage`). */
export function issueLine(issue: z.core.$ZodIssue, input: unknown): string {
  return `${issue.path.join('.') || '(root)'}: ${issueMessage(issue, input)}`;
}

/** The value at `path` in `input`, or undefined where the path leaves it. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path)
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}
