import { z } from 'zod';
import { API_SCOPES } from '../../../partners/sdk/scopes.js';
import { advanceBodySchema, tokenRequestSchema } from '../../src/admin/admin-schemas.js';
import { faultRequestSchema } from '../../src/faults/fault-schema.js';

/**
 * The scenario file format (YAML): a named list of steps run against a Glasshouse sandbox or a
 * running platform. Each step is an object with exactly one key, the step kind. The JSON Schema in
 * seed/scenarios/scenario.schema.json is generated from this (`npm run scenario:schema`).
 */
const username = z.string().min(1).describe("A person's username, e.g. alice");
const clientId = z.string().min(1).describe('An OAuth client id, e.g. tunewave');
const scope = z.enum(API_SCOPES);
const policy = z.enum(['broad', 'least-privilege']);

const count = z.number().int().min(0);
const texts = z.array(z.string().min(1));

/** What a step's result must be; `status` is the HTTP status of the API call (default: any 2xx). */
const stepExpectation = z.strictObject({
  status: z
    .number()
    .int()
    .min(100)
    .max(599)
    .optional()
    .describe('HTTP status the call must get, e.g. 404 to assert a refusal (default: any 2xx)'),
  contains: texts
    .optional()
    .describe('Texts found (as substrings) among the returned messages, or thread ids/titles for a thread list'),
  notContains: texts.optional().describe('Texts that must not be found there'),
  includes: z
    .array(username)
    .optional()
    .describe('Usernames that must be among the returned people (participants, friends)'),
  count: count.optional().describe('Exact number of items returned or sent (threads, messages, participants, friends)'),
});

const asClient = {
  as: username.describe('The resource owner whose token the client uses'),
  client: clientId,
  expect: stepExpectation.optional(),
};
const bounds = { min: count.optional(), max: count.optional() };
/** A number of the exposure report: exact, or bounded. */
const amount = z
  .union([count, z.strictObject(bounds)], { error: 'expected a number or { min, max }' })
  .describe('An exact number, or { min, max }');
/** A list of the exposure report (people, threads): its length, exactly these members, or bounds and named members. */
const members = z
  .union([count, texts, z.strictObject({ ...bounds, includes: texts.optional(), excludes: texts.optional() })], {
    error: 'expected a number, a list, or { min, max, includes, excludes }',
  })
  .describe(
    'An exact number of members; a list: exactly these (any order); or { min, max, includes, excludes } (usernames, or thread ids for threads)',
  );

export const stepSchemas = {
  authorize: z
    .strictObject({
      person: username,
      client: clientId,
      scopes: z.array(scope).min(1),
      expiresIn: tokenRequestSchema.shape.expiresIn,
      expect: stepExpectation.optional(),
    })
    .describe('Consent as if the person approved: mints tokens (POST /admin/tokens) used by later steps'),
  play: z
    .strictObject({
      ...asClient,
      to: z.union([username, z.array(username).min(1)]),
      kind: z.enum(['track', 'episode', 'film']).default('track'),
      title: z.string().min(1),
      artist: z.string().optional(),
      text: z.string().min(1).optional().describe('Message text (default: "<name> is playing <title> by <artist>")'),
    })
    .describe('Send a "now playing" message to friends (POST /me/messages, one per friend)'),
  send: z
    .strictObject({
      ...asClient,
      thread: z.string().min(1).optional(),
      to: username.optional(),
      text: z.string().min(1),
    })
    .refine((s) => (s.thread === undefined) !== (s.to === undefined), { message: 'give either thread or to' })
    .describe('Send a message into a thread (POST /threads/{id}/messages) or to a friend (POST /me/messages)'),
  read: z
    .strictObject({ ...asClient, thread: z.string().optional() })
    .describe("List threads, or read a thread's messages"),
  friends: z.strictObject({ ...asClient }).describe("Read the person's friends"),
  participants: z.strictObject({ ...asClient, thread: z.string() }).describe('Read everyone on a thread'),
  delete: z
    .strictObject({
      ...asClient,
      message: z.string().min(1).optional().describe('Message id'),
      text: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Text (substring) of the message: looked up in `thread` through the admin API, or among messages this scenario sent',
        ),
      thread: z.string().min(1).optional(),
    })
    .refine((s) => (s.message === undefined) !== (s.text === undefined), { message: 'give either message or text' })
    .describe('Delete a message (DELETE /messages/{id}) by id or by its text'),
  revoke: z
    .strictObject({ person: username.optional(), client: clientId, expect: stepExpectation.optional() })
    .describe(
      "The person's grant to the client (without person: every grant of the client) is revoked with all its tokens (POST /admin/tokens/revoke)",
    ),
  expire: z
    .strictObject({ person: username.optional(), client: clientId, expect: stepExpectation.optional() })
    .describe(
      "The access tokens of the person's grant (without person: of the whole client) expire now; refresh tokens keep working (POST /admin/tokens/expire)",
    ),
  // The same fields and limits as the admin API's bodies (one source): a file the schema accepts is
  // one the platform takes.
  'advance-clock': advanceBodySchema.shape.seconds.describe(
    'Whole seconds the platform clock moves forward (POST /admin/clock/advance; sandboxes, or CONTROLLABLE_CLOCK=true)',
  ),
  fault: z
    .strictObject({
      client: clientId,
      ...(({ kind, status, retryAfter, latencyMs, times, seconds }) => ({
        kind,
        status,
        retryAfter,
        latencyMs,
        times,
        seconds,
      }))(faultRequestSchema.shape),
    })
    .refine((f) => (f.kind === 'status') === (f.status !== undefined), {
      message: 'status goes with kind status (and is needed there)',
      path: ['status'],
    })
    .refine((f) => (f.kind === 'latency') === (f.latencyMs !== undefined), {
      message: 'latencyMs goes with kind latency (and is needed there)',
      path: ['latencyMs'],
    })
    .describe("Inject a fault into the client's calls (POST /admin/faults); cleared by clear-faults or a reset"),
  'clear-faults': z.literal(true).describe('End every injected fault (DELETE /admin/faults)'),
  'set-policy': policy.describe('Switch the policy mode (PUT /admin/policy)'),
  shutdown: z
    .strictObject({ client: clientId, expect: stepExpectation.optional() })
    .describe('An admin shuts the client down (PATCH /admin/clients/{id})'),
  expect: z
    .strictObject({
      accessLog: z
        .strictObject({
          client: clientId.optional(),
          owner: username.optional(),
          action: z.enum(['read', 'write', 'delete']).optional(),
          thread: z.string().min(1).optional().describe('Only entries that touched this thread'),
          count: count.optional().describe('Exact number of matching entries made during this scenario'),
          minCount: count.optional(),
          maxCount: count.optional(),
          bystanders: z
            .array(username)
            .optional()
            .describe('Usernames that must appear as bystanders of the matching entries'),
        })
        .optional()
        .describe('The access log (GET /admin/access-log), entries made since the scenario started'),
      exposure: z
        .strictObject({
          client: clientId,
          authorizedPeople: members.optional(),
          peopleSeen: members.optional(),
          bystanders: members.optional(),
          messagesRead: amount.optional(),
          messagesWritten: amount.optional(),
          messagesDeleted: amount.optional(),
          threads: members.optional(),
        })
        .optional()
        .describe("The client's exposure report (GET /admin/exposure), since the last reset"),
      messages: z
        .strictObject({
          thread: z.string().min(1),
          contains: texts.optional().describe('Texts (substrings) that must be in the thread'),
          notContains: texts.optional(),
          nowPlaying: texts.optional().describe('Titles of "now playing" cards that must be in the thread'),
          count: count.optional(),
        })
        .optional()
        .describe("A thread's messages (GET /admin/threads/{id}/messages)"),
    })
    .refine((e) => Boolean(e.accessLog ?? e.exposure ?? e.messages), {
      message: 'give accessLog, exposure or messages',
    })
    .describe('Assertions on the platform state (admin API)'),
} as const;

export type StepKind = keyof typeof stepSchemas;
export const stepKinds = Object.keys(stepSchemas) as StepKind[];

/** One step: an object with exactly one key, the step kind. */
export const stepSchema = z.union(
  stepKinds.map((kind) => z.strictObject({ [kind]: stepSchemas[kind] })) as unknown as [
    z.ZodObject,
    z.ZodObject,
    ...z.ZodObject[],
  ],
);

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1).describe('Shown at the top of the report'),
    description: z.string().optional(),
    /** Policy mode at the start (default: the target's; `broad` after a reset to the seed). */
    policy: policy
      .optional()
      .describe("Policy mode at the start (default: the target's; broad after a reset to the seed)"),
    steps: z.array(stepSchema).min(1).describe('Run in order; each is an object with exactly one key, the step kind'),
  })
  .meta({
    title: 'Glasshouse scenario',
    description:
      'A scripted partner story run by `npm run scenario -- <file>` against a sandbox or a running platform.',
  });

export type Scenario = z.infer<typeof scenarioSchema>;
/** A parsed step, with its kind split out and the line it stands on. */
export type Step = { [K in StepKind]: { kind: K; args: z.infer<(typeof stepSchemas)[K]>; line: number } }[StepKind];
