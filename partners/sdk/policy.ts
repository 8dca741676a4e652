import { z } from 'zod';
import { GlasshouseError } from './errors.js';
import { jsonOrUndefined, send } from './http.js';

/**
 * The partner access policy in force on the platform: `broad` (as reported in 2018, a partner reads
 * every conversation of the people who logged in) or `least-privilege` (only threads it posted in).
 */
export type PolicyMode = 'broad' | 'least-privilege';

const policySchema = z.object({ mode: z.enum(['broad', 'least-privilege']) });

/** Path of the platform's public policy document. */
export const POLICY_PATH = '/policy';

/**
 * `GET /policy` of the platform at `baseUrl` (public, no token).
 * @param timeoutMs gives up after this long (the caller usually has a page to draw).
 * @throws GlasshouseUnreachableError when nothing answers in time; GlasshouseError when the answer
 * is not a policy.
 */
export async function getPolicyMode(
  baseUrl: string,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<PolicyMode> {
  const url = new URL(POLICY_PATH, baseUrl).href;
  const res = await send(options.fetch ?? fetch, url, {
    headers: { accept: 'application/json' },
    ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
  });
  if (!res.ok) await res.body?.cancel();
  const parsed = policySchema.safeParse(res.ok ? await jsonOrUndefined(res) : undefined);
  if (!parsed.success) throw new GlasshouseError(`No policy at ${url} (HTTP ${res.status})`);
  return parsed.data.mode;
}
