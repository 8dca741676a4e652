import type { z } from 'zod';
import {
  adminMessageSchema,
  adminPersonSchema,
  clientExposureSchema,
  clientSchema,
  clockSchema,
  endedSchema,
  exposureResponseSchema,
  resetResponseSchema,
  tokenResponseSchema,
  type tokenTargetSchema,
} from '../src/admin/admin-schemas.js';
import { faultSchema, type faultRequestSchema } from '../src/faults/fault-schema.js';
import type { AccessLogQuery } from '../src/audit/access-log-query.js';
import { accessEntrySchema, type policyModeSchema } from '../src/store/schema.js';

/**
 * Shapes of the admin API's answers (base `/admin`): the very zod schemas the server validates with
 * and builds `GET /admin/openapi.json` from (`server/src/admin/admin-schemas.ts`), so the admin client
 * cannot drift from the server. The testkit may import the server; the partner SDK may not.
 */

/** The policy modes: `broad` (as reported in 2018) or `least-privilege`. */
export type PolicyMode = z.infer<typeof policyModeSchema>;
/** A registered OAuth client's status. */
export type ClientStatus = z.infer<typeof clientSchema>['status'];

/** `POST /admin/tokens`: an RFC 6749 §5.1 token response, as if the person had consented. */
export const adminTokenResponseSchema = tokenResponseSchema;
export type AdminTokenResponse = z.infer<typeof adminTokenResponseSchema>;

/** `POST /admin/reset`: counts after going back to the seed. */
export const resetResultSchema = resetResponseSchema;
export type ResetResult = z.infer<typeof resetResultSchema>;

/** One access-log entry: one API response or socket delivery to a client. */
export { accessEntrySchema };
export type AccessEntry = z.infer<typeof accessEntrySchema>;

/** Filters of `GET /admin/access-log`; they combine (`limit`: 1–10000, the server's default 1000). */
export type AccessLogFilter = Partial<AccessLogQuery>;

/** What one client saw (`GET /admin/exposure`). */
export { clientExposureSchema };
export type ClientExposure = z.infer<typeof clientExposureSchema>;
/** A person as the exposure report names them. */
export type PersonRef = ClientExposure['peopleSeen'][number];

/** Which apps saw one person, and on whose say-so (`GET /admin/exposure?username=`). */
export const personExposureSchema = exposureResponseSchema.shape.person.unwrap();
export type PersonExposure = z.infer<typeof personExposureSchema>;

export const adminClientSchema = clientSchema;
export type AdminClientInfo = z.infer<typeof adminClientSchema>;

export { adminPersonSchema };
export type AdminPerson = z.infer<typeof adminPersonSchema>;

/** A stored message as the admin API shows it (sender as a person id). */
export { adminMessageSchema };
export type AdminMessage = z.infer<typeof adminMessageSchema>;

/** `GET /admin/clock`, `POST /admin/clock/advance`: the platform clock. */
export const clockInfoSchema = clockSchema;
export type ClockInfo = z.infer<typeof clockInfoSchema>;

/** `POST /admin/tokens/expire` and `/tokens/revoke`: `{ count }`. */
export { endedSchema };

/**
 * Which tokens `expireTokens` / `revokeTokens` end: `{ token }` (one access or refresh token),
 * `{ username, clientId }` (that grant), `{ clientId }` (every grant of the client) or `{ grantId }`.
 */
export type TokenTarget = z.input<typeof tokenTargetSchema>;

/** `POST /admin/faults` (README "Time, faults and expiry for testers"): one client's or one token's calls. */
export type FaultRequest = z.input<typeof faultRequestSchema>;

/** A fault in force. */
export { faultSchema };
export type Fault = z.infer<typeof faultSchema>;
