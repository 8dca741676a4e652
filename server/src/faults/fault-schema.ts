import { z } from 'zod';

/**
 * An injected fault, as an admin asks for it (`POST /admin/faults`; README "Time, faults and expiry
 * for testers"). It applies to one client's calls, or one token's (access or refresh token value),
 * for the next `times` matching calls, or for `seconds` on the platform clock, or both (whichever
 * ends first); with neither, until a reset or `DELETE /admin/faults`.
 * - `status`: API calls answer `status` (429 and 503 with `Retry-After: retryAfter` seconds).
 * - `latency`: API calls and socket deliveries wait `latencyMs` first.
 * - `drop-sockets`: the partner sockets are disconnected now, and handshakes are refused while the
 *   fault lasts (each refused handshake counts as a call).
 * - `refuse-refresh`: the refresh_token grant answers 400 `invalid_grant` (RFC 6749 §5.2), the
 *   refresh token left as it was.
 */
export const faultRequestSchema = z
  .strictObject({
    clientId: z.string().min(1).max(200).optional().describe('The client whose calls fail'),
    token: z.string().min(1).max(512).optional().describe('Or: only calls with this access (or refresh) token'),
    kind: z.enum(['status', 'latency', 'drop-sockets', 'refuse-refresh']),
    status: z.literal([429, 500, 502, 503, 504]).optional().describe('For `status`'),
    retryAfter: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .describe('Seconds, sent as Retry-After with 429/503 (default 1)'),
    latencyMs: z.number().int().min(1).max(60_000).optional().describe('For `latency`'),
    times: z.number().int().min(1).max(10_000).optional().describe('The next N matching calls'),
    seconds: z.number().int().min(1).max(86_400).optional().describe('For T seconds on the platform clock'),
  })
  .refine((f) => (f.clientId === undefined) !== (f.token === undefined), { message: 'give either clientId or token' })
  .refine((f) => (f.kind === 'status') === (f.status !== undefined), {
    message: 'status is given with kind "status" only (and needed there)',
    path: ['status'],
  })
  .refine((f) => (f.kind === 'latency') === (f.latencyMs !== undefined), {
    message: 'latencyMs is given with kind "latency" only (and needed there)',
    path: ['latencyMs'],
  })
  .meta({
    id: 'FaultRequest',
    example: { clientId: 'tunewave', kind: 'status', status: 503, retryAfter: 2, times: 2 },
  });
export type FaultRequest = z.infer<typeof faultRequestSchema>;

export const faultSchema = z
  .object({
    id: z.string(),
    clientId: z.string().optional(),
    /** True when the fault matches one token (the token itself is never echoed). */
    byToken: z.boolean(),
    kind: faultRequestSchema.shape.kind,
    status: z.number().optional(),
    retryAfter: z.number().optional(),
    latencyMs: z.number().optional(),
    /** Matching calls left (absent: no count limit). */
    remaining: z.number().optional(),
    /** ms since epoch on the platform clock (absent: no time limit). */
    until: z.number().optional(),
    /** What it does, in a few words, e.g. `status 503`: also in the access log's `injected`. */
    label: z.string(),
  })
  .meta({ id: 'Fault' });
export type Fault = z.infer<typeof faultSchema>;
