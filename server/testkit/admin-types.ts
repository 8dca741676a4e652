import { z } from 'zod';
import { nowPlayingSchema } from '../../partners/sdk/types.js';

/**
 * Shapes of the admin API's answers (base `/admin`), decoded at the edge with zod. Objects are
 * loose, like the messaging API's: members the SDK does not know are kept.
 */

/** The policy modes: `broad` (as reported in 2018) or `least-privilege`. */
export type PolicyMode = 'broad' | 'least-privilege';
/** A registered OAuth client's status. */
export type ClientStatus = 'active' | 'shut_down';

/** `POST /admin/tokens`: an RFC 6749 §5.1 token response, as if the person had consented. */
export const adminTokenResponseSchema = z.looseObject({
  access_token: z.string(),
  token_type: z.string(),
  /** Seconds. */
  expires_in: z.number(),
  refresh_token: z.string().optional(),
  /** Space-separated scopes granted. */
  scope: z.string(),
});
export type AdminTokenResponse = z.infer<typeof adminTokenResponseSchema>;

/** `POST /admin/reset`: counts after going back to the seed. */
export const resetResultSchema = z.looseObject({ people: z.number(), threads: z.number(), messages: z.number() });
export type ResetResult = z.infer<typeof resetResultSchema>;

/** One access-log entry: one API response or socket delivery to a client. */
export const accessEntrySchema = z.looseObject({
  id: z.string(),
  /** ms since epoch. */
  at: z.number(),
  clientId: z.string(),
  /** Person id of the resource owner whose token was used. */
  ownerId: z.string(),
  action: z.enum(['read', 'write', 'delete']),
  scope: z.string(),
  /** e.g. `GET /api/v1/threads/{threadId}/messages` or a socket event. */
  operation: z.string(),
  channel: z.string(),
  threadIds: z.array(z.string()),
  messageIds: z.array(z.string()),
  /** Person ids whose identity or message content was in the response. */
  peopleIncluded: z.array(z.string()),
  /** Of those, who never granted this client anything. */
  bystanders: z.array(z.string()),
  policy: z.string(),
});
export type AccessEntry = z.infer<typeof accessEntrySchema>;

/** Filters of `GET /admin/access-log`; they combine. */
export interface AccessLogFilter {
  clientId?: string;
  /** Person id of the resource owner. */
  ownerId?: string;
  /** Person id, as owner or among the people included. */
  personId?: string;
  action?: 'read' | 'write' | 'delete';
  /** Entries at or after this time (ms since epoch). */
  since?: number;
  /** At most this many, the most recent (1–10000; the server's default 1000). */
  limit?: number;
}

const personRef = z.looseObject({ id: z.string(), username: z.string() });
export type PersonRef = z.infer<typeof personRef>;

/** What one client saw (`GET /admin/exposure`). */
export const clientExposureSchema = z.looseObject({
  clientId: z.string(),
  authorizedPeople: z.array(personRef),
  peopleSeen: z.array(personRef),
  bystanders: z.array(personRef),
  messagesRead: z.number(),
  messagesWritten: z.number(),
  messagesDeleted: z.number(),
  /** Thread ids. */
  threads: z.array(z.string()),
  accesses: z.number(),
  scopes: z.looseObject({ granted: z.array(z.string()), used: z.array(z.string()), unused: z.array(z.string()) }),
});
export type ClientExposure = z.infer<typeof clientExposureSchema>;

/** Which apps saw one person, and on whose say-so (`GET /admin/exposure?username=`). */
export const personExposureSchema = z.looseObject({
  username: z.string(),
  apps: z.array(
    z.looseObject({
      clientId: z.string(),
      /** Whether this person ever authorized the client. */
      authorized: z.boolean(),
      accesses: z.number(),
      onBehalfOf: z.array(personRef),
      threads: z.array(z.string()),
      /** ms since epoch of the last access. */
      lastAt: z.number(),
    }),
  ),
});
export type PersonExposure = z.infer<typeof personExposureSchema>;

export const adminClientSchema = z.looseObject({ id: z.string(), name: z.string(), status: z.enum(['active', 'shut_down']) });
export type AdminClientInfo = z.infer<typeof adminClientSchema>;

export const adminPersonSchema = z.looseObject({ id: z.string(), username: z.string(), displayName: z.string() });
export type AdminPerson = z.infer<typeof adminPersonSchema>;

/** A stored message as the admin API shows it (sender as a person id). */
export const adminMessageSchema = z.looseObject({
  id: z.string(),
  threadId: z.string(),
  senderId: z.string(),
  text: z.string(),
  nowPlaying: nowPlayingSchema.optional(),
  /** Client id it was written through, if any. */
  via: z.string().optional(),
  /** ms since epoch. */
  createdAt: z.number(),
});
export type AdminMessage = z.infer<typeof adminMessageSchema>;
