import { z } from 'zod';
import { compiledSchema } from '../compiled-schema.js';
import { scryptParts } from '../social/passwords.js';
import { cookieKeysSchema, providerJwksSchema } from './provider-keys-schema.js';
import { storedText, storedUrl } from './text.js';

/**
 * A time: whole ms since the epoch, within what a Date can hold. A fraction or 1e300 would load and
 * then break what is derived from times (stamped message ids, keyset order, "… ago").
 */
/** The last time (ms) a JavaScript Date can hold (ECMA-262 §21.4.1.1): no stored time is later. */
export const MAX_EPOCH_MS = 8_640_000_000_000_000;
const epochMs = z.number().int().min(0).max(MAX_EPOCH_MS);

/**
 * Every text a person or a partner typed goes through `storedText` (well-formed Unicode, no control
 * characters; README "Text in the store"), here and at the edges.
 *
 * The shape of the store document (`DATA_FILE`): plain JSON, one array per collection.
 * Validated on load; the types of the whole platform are inferred from here.
 */
export const personSchema = z.object({
  id: z.string(),
  username: storedText({ min: 1, max: 100 }),
  displayName: storedText({ min: 1, max: 200 }),
  /** `scrypt$N$r$p$saltB64$hashB64` (see social/passwords.ts). */
  passwordHash: z
    .string()
    .refine((h) => scryptParts(h) !== undefined, 'not a scrypt hash this platform can check (scrypt$N$r$p$salt$hash)'),
  /** Admins may open the monitor without the admin token. */
  isAdmin: z.boolean().optional(),
});

/** An undirected friendship; `id` is the two person ids sorted and joined by `~`. */
export const friendshipSchema = z.object({
  id: z.string(),
  personIds: z.tuple([z.string(), z.string()]),
  since: epochMs,
});

export const threadSchema = z.object({
  id: z.string(),
  kind: z.enum(['direct', 'group']),
  /** Group threads have a title; direct threads are named after the other participant. */
  title: storedText({ max: 200 }).optional(),
  participantIds: z.array(z.string()).min(2),
  createdAt: epochMs,
});

export const nowPlayingSchema = z.strictObject({
  kind: z.enum(['track', 'episode', 'film']),
  title: storedText({ min: 1, max: 200 }),
  artist: storedText({ min: 1, max: 200 }).optional(),
  url: storedUrl().optional(),
});

export const messageSchema = z.object({
  id: z.string(),
  threadId: z.string(),
  senderId: z.string(),
  text: storedText(),
  nowPlaying: nowPlayingSchema.optional(),
  /** The client that wrote it through the API, if any. */
  via: z.string().optional(),
  /** ms since epoch. */
  createdAt: epochMs,
});

/**
 * A deleted message whose id does not carry its time (a seeded id such as `m_0001`): its key, kept so
 * that the id stays a cursor of its thread after a restart (README "Paging"). The newest 10,000 are kept.
 */
export const deletedMessageSchema = z.object({
  id: z.string(),
  threadId: z.string(),
  /** ms since epoch: the deleted message's `createdAt`. */
  createdAt: epochMs,
});

/** Last time (ms) a person opened a thread; drives unread marks. */
export const readMarkSchema = z.object({
  id: z.string(),
  personId: z.string(),
  threadId: z.string(),
  readAt: epochMs,
});

/** A registered OAuth client: oidc-provider metadata plus our status. */
export const clientSchema = z.object({
  id: z.string(),
  name: storedText(),
  status: z.enum(['active', 'shut_down']),
  /**
   * Registered through Dynamic Client Registration (RFC 7591): its `client_name` is self-asserted
   * (§5), so the consent page marks it unverified. Absent for the built-in partners and the docs page.
   */
  dynamic: z.boolean().optional(),
  /** oidc-provider client metadata (RFC 7591), including `client_secret`. */
  metadata: z.record(z.string(), z.unknown()),
});

/**
 * One oidc-provider model instance (grant, code, token, session…) stored by the adapter.
 * Retention: deleted once `expiresAt` passes, by the housekeeping timer (README "Retention").
 */
export const oidcRecordSchema = z.object({
  id: z.string(),
  model: z.string(),
  payload: z.record(z.string(), z.unknown()),
  /** ms since epoch; absent = no expiry. */
  expiresAt: epochMs.optional(),
});

/** One data-deletion request the platform sent to a client, and what the client answered. */
export const deletionRequestSchema = z.object({
  /** ms since epoch. */
  at: epochMs,
  /** `deleted`: the client says it deleted; `failed`: no usable answer (or no endpoint registered). */
  outcome: z.enum(['deleted', 'failed']),
  /** Messages the client says it deleted. */
  messagesDeleted: z.number().int().min(0).optional(),
  /** Sandbox only: what the client still keeps (a sneaky partner says "deleted" and keeps them). */
  messagesKept: z.number().int().min(0).optional(),
  /** Why it failed, in words. */
  detail: z.string().optional(),
});

/**
 * A person's consent to a client, kept after revocation: "has this person ever authorized this
 * client?" decides who is a bystander. `id` is `${personId}~${clientId}`.
 */
export const authorizationSchema = z.object({
  id: z.string(),
  personId: z.string(),
  clientId: z.string(),
  /** Scopes currently granted (empty once revoked). */
  scopes: z.array(z.string()),
  /** oidc-provider grant id of the current grant. */
  grantId: z.string().optional(),
  firstGrantedAt: epochMs,
  grantedAt: epochMs,
  revokedAt: epochMs.optional(),
  /**
   * Data-deletion requests sent to the client for this person (README, "Retained copies and
   * deletion requests"). Retention: the latest 5 only.
   */
  deletionRequests: z.array(deletionRequestSchema).optional(),
});

/**
 * One access (README, "Terms"). Retention: the newest ACCESS_LOG_KEEP_ENTRIES younger than
 * ACCESS_LOG_KEEP_HOURS are kept raw; older ones are folded into `accessTotals` (README "Retention").
 */
export const accessEntrySchema = z.object({
  id: z.string(),
  at: epochMs,
  clientId: z.string(),
  /** The resource owner whose token was used. */
  ownerId: z.string(),
  action: z.enum(['read', 'write', 'delete']),
  scope: z.string(),
  /** Route or socket event, e.g. `GET /api/v1/threads/{threadId}/messages`. */
  operation: z.string(),
  channel: z.enum(['api', 'socket']),
  threadIds: z.array(z.string()),
  messageIds: z.array(z.string()),
  /** Everyone whose identity or message content is in the response. */
  peopleIncluded: z.array(z.string()),
  /** Of those, who never granted this client anything. */
  bystanders: z.array(z.string()),
  policy: z.enum(['broad', 'least-privilege']),
  /** A fault a tester injected into this call, e.g. `status 503` (README "Time, faults and expiry for testers"). */
  injected: z.string().optional(),
  /** Socket deliveries: how many sockets of this client and owner got the event, when more than one. */
  sockets: z.number().int().min(2).optional(),
});

/**
 * Access-log totals (README "Retention"): raw entries older than the retention window are folded
 * into these rows, so that exposure, notices, granted-vs-used and "last used" stay complete while the
 * raw log stays bounded. One row per key: `client <clientId>`, `person <clientId> <personId>`,
 * `thread <threadId> <clientId> <ownerId> <action>`, `grant <clientId> <ownerId>`. Grows with the
 * world (clients × people × threads), not with time.
 */
export const accessTotalSchema = z.object({
  id: z.string(),
  kind: z.enum(['client', 'person', 'thread', 'grant']),
  clientId: z.string(),
  ownerId: z.string().optional(),
  personId: z.string().optional(),
  threadId: z.string().optional(),
  /** `listed`: a read that returned no message of the thread (thread list, participants), for the notices. */
  action: z.enum(['read', 'listed', 'write', 'delete']).optional(),
  /** Accesses counted. */
  count: z.number().int().min(0),
  /** ms since epoch of the latest access counted. */
  lastAt: epochMs,
  /** Distinct ids by name: `people`, `threads`, `messagesRead` (client and grant rows), `owners`, `scopes`. */
  sets: z.record(z.string(), z.array(z.string())),
  /** Counters by name: `messagesWritten`, `messagesDeleted`. */
  sums: z.record(z.string(), z.number()),
});

export const policyModeSchema = z.enum(['broad', 'least-privilege']);

export const settingsSchema = z.object({
  id: z.literal('settings'),
  policy: policyModeSchema,
  /**
   * Signing keys (JWKS, private) and cookie keys of the authorization server; generated once
   * (oauth/keys.ts), checked as what oidc-provider is given (provider-keys-schema.ts).
   */
  jwks: providerJwksSchema.optional(),
  cookieKeys: cookieKeysSchema.optional(),
});

export const collectionSchemas = {
  people: personSchema,
  friendships: friendshipSchema,
  threads: threadSchema,
  messages: messageSchema,
  deletedMessages: deletedMessageSchema,
  readMarks: readMarkSchema,
  clients: clientSchema,
  oidc: oidcRecordSchema,
  authorizations: authorizationSchema,
  accessLog: accessEntrySchema,
  accessTotals: accessTotalSchema,
  settings: settingsSchema,
} as const;

/** The schema of collection `c`, compiled (`compiledSchema`): every row written or replayed from the journal is checked with it. */
export function rowSchema<C extends CollectionName>(c: C): (typeof collectionSchemas)[C] {
  return compiledSchema(collectionSchemas[c] as z.ZodType) as (typeof collectionSchemas)[C];
}

export type CollectionName = keyof typeof collectionSchemas;
export type Row<C extends CollectionName> = z.infer<(typeof collectionSchemas)[C]>;

/** The data file's format tag (its `format` field). */
export const WORLD_FORMAT = 'glasshouse/1';

export const worldSchema = z.strictObject({
  format: z.literal(WORLD_FORMAT),
  people: z.array(personSchema),
  friendships: z.array(friendshipSchema),
  threads: z.array(threadSchema),
  messages: z.array(messageSchema),
  /** Absent in data files written before deleted seeded ids were kept. */
  deletedMessages: z.array(deletedMessageSchema).default([]),
  readMarks: z.array(readMarkSchema),
  clients: z.array(clientSchema),
  oidc: z.array(oidcRecordSchema),
  authorizations: z.array(authorizationSchema),
  accessLog: z.array(accessEntrySchema),
  /** Absent in data files written before retention existed. */
  accessTotals: z.array(accessTotalSchema).default([]),
  settings: z.array(settingsSchema).max(1),
});

export type World = z.infer<typeof worldSchema>;
export type Person = Row<'people'>;
export type Friendship = Row<'friendships'>;
export type Thread = Row<'threads'>;
export type Message = Row<'messages'>;
export type DeletedMessage = Row<'deletedMessages'>;
export type NowPlaying = z.infer<typeof nowPlayingSchema>;
export type Client = Row<'clients'>;
export type OidcRecord = Row<'oidc'>;
export type AccessEntry = Row<'accessLog'>;
export type AccessTotal = Row<'accessTotals'>;
export type Authorization = Row<'authorizations'>;
export type DeletionRequest = z.infer<typeof deletionRequestSchema>;
export type PolicyMode = z.infer<typeof policyModeSchema>;
export type Settings = Row<'settings'>;

export const collectionNames = Object.keys(collectionSchemas) as CollectionName[];

/** A journal line: one idempotent change to one collection. */
export const journalOpSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('put'),
    c: z.enum(collectionNames as [CollectionName, ...CollectionName[]]),
    v: z.record(z.string(), z.unknown()),
  }),
  z.object({
    op: z.literal('del'),
    c: z.enum(collectionNames as [CollectionName, ...CollectionName[]]),
    id: z.string(),
  }),
]);
export type JournalOp = z.infer<typeof journalOpSchema>;

/** A journal line: one change, or several that must apply together (`all`: one line, so all or none). */
export const journalLineSchema = z.union([
  journalOpSchema,
  z.object({ op: z.literal('all'), ops: z.array(journalOpSchema) }),
]);
export type JournalLine = z.infer<typeof journalLineSchema>;
