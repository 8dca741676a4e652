import { z } from 'zod';
import { API_SCOPES } from '../oauth/scopes.js';
import { accessEntrySchema, nowPlayingSchema, policyModeSchema } from '../store/schema.js';

/** Request and response shapes of the admin API; the admin OpenAPI document is built from them. */
export const policyBodySchema = z.strictObject({ mode: policyModeSchema }).meta({ id: 'PolicyBody' });
export const tokenRequestSchema = z
  .strictObject({
    username: z.string().min(1).max(100),
    clientId: z.string().min(1).max(200),
    scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length),
    expiresIn: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .optional()
      .describe('Access token lifetime in seconds (default 3600); the refresh token keeps its own'),
  })
  .meta({
    id: 'TokenRequest',
    example: { username: 'alice', clientId: 'tunewave', scopes: ['profile', 'friends:read', 'messages:write'] },
  });
export const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().describe('seconds'),
    refresh_token: z.string().optional(),
    scope: z.string(),
  })
  .meta({ id: 'TokenResponse' });
export const clientStatusBodySchema = z
  .strictObject({ status: z.enum(['active', 'shut_down']) })
  .meta({ id: 'ClientStatusBody' });
export const clientParamsSchema = z.object({ clientId: z.string().min(1).max(200) });
export const threadParamsSchema = z.object({ threadId: z.string().min(1).max(200) });
export const revokeBodySchema = z
  .strictObject({ username: z.string().min(1).max(100), clientId: z.string().min(1).max(200) })
  .meta({ id: 'RevokeBody' });
export const tokenTargetSchema = z
  .strictObject({
    token: z.string().min(1).max(512).optional().describe('One access or refresh token'),
    username: z.string().min(1).max(100).optional().describe("With clientId: that person's grant to the client"),
    clientId: z.string().min(1).max(200).optional().describe('Alone: every grant of the client'),
    grantId: z.string().min(1).max(200).optional(),
  })
  .refine(
    (t) =>
      [t.token, t.grantId, t.clientId].filter((x) => x !== undefined).length === 1 &&
      (t.username === undefined || t.clientId !== undefined),
    {
      message: "give one of: token; grantId; clientId (with username: that person's grant)",
    },
  )
  .meta({ id: 'TokenTarget', example: { username: 'alice', clientId: 'tunewave' } });
export const endedSchema = z
  .object({ count: z.number().describe('Tokens expired, or tokens/grants revoked') })
  .meta({ id: 'Ended' });
export const clockSchema = z
  .object({
    now: z.number().describe('ms since epoch on the platform clock'),
    offsetMs: z.number().describe('How far ahead of the wall clock'),
    controllable: z.boolean(),
  })
  .meta({ id: 'Clock' });
export const advanceBodySchema = z
  .strictObject({
    seconds: z
      .number()
      .int()
      .positive()
      .max(366 * 86_400)
      .describe('How far to move the clock forward (whole seconds: times are whole milliseconds)'),
  })
  .meta({ id: 'AdvanceClock', example: { seconds: 3600 } });
export const exposureQuerySchema = z.strictObject({
  clientId: z.string().min(1).max(200).optional(),
  username: z.string().min(1).max(100).optional(),
});

const person = z.object({ id: z.string(), username: z.string() });
export const clientExposureSchema = z
  .object({
    clientId: z.string(),
    clientName: z.string(),
    status: z.enum(['active', 'shut_down']),
    authorizedPeople: z.array(person),
    peopleSeen: z.array(person),
    bystanders: z.array(person),
    messagesRead: z.number(),
    messagesWritten: z.number(),
    messagesDeleted: z.number(),
    threads: z.array(z.string()),
    accesses: z.number(),
    scopes: z.object({ granted: z.array(z.string()), used: z.array(z.string()), unused: z.array(z.string()) }),
  })
  .meta({ id: 'ClientExposure' });
export const personExposureSchema = z
  .object({
    clientId: z.string(),
    authorized: z.boolean(),
    accesses: z.number(),
    onBehalfOf: z.array(person),
    threads: z.array(z.string()),
    lastAt: z.number(),
  })
  .meta({ id: 'PersonExposure' });
export const exposureResponseSchema = z
  .object({
    clients: z.array(clientExposureSchema).optional(),
    person: z.object({ username: z.string(), apps: z.array(personExposureSchema) }).optional(),
  })
  .meta({ id: 'Exposure' });
export const clientSchema = z
  .object({ id: z.string(), name: z.string(), status: z.enum(['active', 'shut_down']) })
  .meta({ id: 'Client' });
export const adminPersonSchema = z
  .object({ id: z.string(), username: z.string(), displayName: z.string() })
  .meta({ id: 'AdminPerson' });
export const resetResponseSchema = z
  .object({ people: z.number(), threads: z.number(), messages: z.number() })
  .meta({ id: 'ResetResult' });
export const adminMessageSchema = z
  .object({
    id: z.string(),
    threadId: z.string(),
    senderId: z.string(),
    text: z.string(),
    nowPlaying: nowPlayingSchema.optional(),
    via: z.string().optional(),
    createdAt: z.number(),
  })
  .meta({ id: 'AdminMessage' });
export const accessLogResponseSchema = z.object({ entries: z.array(accessEntrySchema) }).meta({ id: 'AccessLog' });
