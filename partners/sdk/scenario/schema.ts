import { z } from 'zod';

/**
 * The scenario file format (YAML): a named list of steps run against a Glasshouse sandbox or a
 * running platform. Each step is an object with exactly one key, the step kind. The JSON Schema in
 * seed/scenarios/scenario.schema.json is generated from this (`npm run scenario:schema`).
 */
const username = z.string().min(1).describe('A person\'s username, e.g. alice');
const clientId = z.string().min(1).describe('An OAuth client id, e.g. tunewave');
const scope = z.enum(['profile', 'friends:read', 'messages:read', 'messages:write', 'messages:delete', 'threads:participants']);
const policy = z.enum(['broad', 'least-privilege']);

/** What a step's result must be; `status` is the HTTP status of the API call (default: 2xx). */
const stepExpectation = z.strictObject({
  status: z.number().int().min(100).max(599).optional(),
  /** Texts that must appear among the returned messages. */
  contains: z.array(z.string()).optional(),
  /** Texts that must not appear. */
  notContains: z.array(z.string()).optional(),
  /** Usernames that must be among returned participants / people. */
  includes: z.array(username).optional(),
  /** Exact number of items returned (threads, messages, participants, friends). */
  count: z.number().int().min(0).optional(),
});

const asClient = { as: username, client: clientId, expect: stepExpectation.optional() };

export const stepSchemas = {
  authorize: z.strictObject({ person: username, client: clientId, scopes: z.array(scope).min(1) }).describe('Consent as if the person approved: mints tokens'),
  play: z.strictObject({
    ...asClient,
    to: z.union([username, z.array(username).min(1)]),
    kind: z.enum(['track', 'episode', 'film']).default('track'),
    title: z.string().min(1),
    artist: z.string().optional(),
    text: z.string().optional(),
  }).describe('Send a "now playing" message to friends (POST /me/messages)'),
  send: z.strictObject({ ...asClient, thread: z.string().optional(), to: username.optional(), text: z.string().min(1) }).describe('Send a message into a thread or to a friend'),
  read: z.strictObject({ ...asClient, thread: z.string().optional() }).describe('List threads, or read a thread\'s messages'),
  friends: z.strictObject({ ...asClient }).describe('Read the person\'s friends'),
  participants: z.strictObject({ ...asClient, thread: z.string() }).describe('Read everyone on a thread'),
  delete: z.strictObject({ ...asClient, message: z.string().optional(), text: z.string().optional() }).describe('Delete a message by id or by its text'),
  revoke: z.strictObject({ person: username, client: clientId }).describe('The person revokes the client\'s grant'),
  'set-policy': policy.describe('Switch the policy mode'),
  shutdown: z.strictObject({ client: clientId }).describe('An admin shuts the client down'),
  expect: z.strictObject({
    accessLog: z.strictObject({
      client: clientId.optional(),
      owner: username.optional(),
      action: z.enum(['read', 'write', 'delete']).optional(),
      count: z.number().int().min(0).optional(),
      minCount: z.number().int().min(0).optional(),
      bystanders: z.array(username).optional().describe('Usernames that must appear as bystanders'),
    }).optional(),
    exposure: z.strictObject({
      client: clientId,
      authorizedPeople: z.number().int().min(0).optional(),
      peopleSeen: z.number().int().min(0).optional(),
      bystanders: z.number().int().min(0).optional(),
      messagesRead: z.number().int().min(0).optional(),
      messagesWritten: z.number().int().min(0).optional(),
      messagesDeleted: z.number().int().min(0).optional(),
      threads: z.number().int().min(0).optional(),
    }).optional(),
    messages: z.strictObject({ thread: z.string(), contains: z.array(z.string()).optional(), notContains: z.array(z.string()).optional() }).optional(),
  }).describe('Assertions on the platform state'),
} as const;

export type StepKind = keyof typeof stepSchemas;
export const stepKinds = Object.keys(stepSchemas) as StepKind[];

/** One step: an object with exactly one key, the step kind. */
export const stepSchema = z.union(
  stepKinds.map((kind) => z.strictObject({ [kind]: stepSchemas[kind] })) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]],
);

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Policy mode at the start (default: broad). */
  policy: policy.optional(),
  steps: z.array(stepSchema).min(1),
});

export type Scenario = z.infer<typeof scenarioSchema>;
/** A parsed step, with its kind split out and the line it stands on. */
export type Step = { [K in StepKind]: { kind: K; args: z.infer<(typeof stepSchemas)[K]>; line: number } }[StepKind];
