import { z } from 'zod';
import { queryInteger } from '../http/query-integer.js';
import { MESSAGE_MAX_CHARS, storedText, storedUrl } from '../store/text.js';
import 'zod-openapi'; // types for the OpenAPI members of `.meta()`

/**
 * Wire schemas of the messaging API: requests are parsed with them at the edge, responses are typed
 * by them, and the OpenAPI document is generated from them (messaging/openapi.ts).
 */

const id = (what: string, example: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .meta({ description: `${what} id`, example });

const cursor = (description: string, example: string) =>
  z.string().min(1).max(400).optional().meta({ description, example });

/**
 * Query of every list (README "Paging"): `limit` 1–100 (default 50) and keyset cursors. A cursor is
 * a `nextCursor`/`prevCursor` the list returned, or the id of one of its items (deleted ones too).
 */
export const pageQuerySchema = z
  .strictObject({
    limit: queryInteger({ min: 1, max: 100 }).default(50).meta({ description: 'Page size (1–100)', example: 20 }),
    max_id: cursor('Older than: items after this cursor in list order (pass `nextCursor` to walk on)', 'm_0009'),
    before: cursor('Alias of `max_id` (kept for existing clients)', 'm_0009'),
    since_id: cursor(
      "Newer than: the newest items before this cursor in list order, newest first (pass the first page's `prevCursor` at the end of a walk)",
      'm_0012',
    ),
    min_id: cursor(
      'Immediately newer than: the items just before this cursor in list order, still newest first (walk forward with `prevCursor`, no gaps)',
      'm_0012',
    ),
  })
  .superRefine((q, ctx) => {
    if (q.max_id !== undefined && q.before !== undefined)
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'Give max_id or its alias before, not both' });
    if (q.since_id !== undefined && q.min_id !== undefined)
      ctx.addIssue({ code: 'custom', path: ['min_id'], message: 'Give since_id or min_id, not both' });
  });
export type PageQuery = z.output<typeof pageQuerySchema>;

export const threadParamsSchema = z.strictObject({ threadId: id('Thread', 'g_weekend') });
export const messageParamsSchema = z.strictObject({ messageId: id('Message', 'm_0001') });

/** A "now playing" card as partners send it: http(s) links only, trimmed non-empty strings. */
export const nowPlayingInputSchema = z
  .strictObject({
    kind: z.enum(['track', 'episode', 'film']),
    title: storedText({ trim: true, min: 1, max: 200 }),
    artist: storedText({ trim: true, min: 1, max: 200 }).optional(),
    url: storedUrl({ protocol: /^https?$/ }).optional(),
  })
  .meta({ id: 'NowPlaying', example: { kind: 'track', title: 'Gymnopédie No. 1', artist: 'Erik Satie' } });

const textSchema = storedText({ trim: true, min: 1, max: MESSAGE_MAX_CHARS }).meta({
  description:
    'Message text, 1–2000 characters (Unicode code points) once trimmed; well-formed Unicode, no control characters except newline and tab',
});

/** Body of `POST /threads/{threadId}/messages`. Unknown fields are refused. */
export const newMessageSchema = z
  .strictObject({ text: textSchema, nowPlaying: nowPlayingInputSchema.optional() })
  .meta({
    id: 'NewMessage',
    example: {
      text: 'Listening to this right now',
      nowPlaying: { kind: 'track', title: 'Gymnopédie No. 1', artist: 'Erik Satie' },
    },
  });
export type NewMessageBody = z.output<typeof newMessageSchema>;

/** Body of `POST /me/messages`: a message to a friend, in the 1:1 thread (created on first use). */
export const newDirectMessageSchema = z
  .strictObject({ to: id('Recipient person', 'p_bob'), text: textSchema, nowPlaying: nowPlayingInputSchema.optional() })
  .meta({ id: 'NewDirectMessage', example: { to: 'p_bob', text: 'You have to hear this' } });
export type NewDirectMessageBody = z.output<typeof newDirectMessageSchema>;

export const personSchema = z
  .object({ id: z.string(), username: z.string(), displayName: z.string() })
  .meta({ id: 'Person', example: { id: 'p_alice', username: 'alice', displayName: 'Alice Moreau' } });
export type PersonOut = z.output<typeof personSchema>;

export const messageSchema = z
  .object({
    id: z.string(),
    threadId: z.string(),
    sender: personSchema,
    text: z.string(),
    nowPlaying: nowPlayingInputSchema.optional(),
    via: z.string().optional().meta({ description: 'Client id of the app it was written through, if any' }),
    createdAt: z.number().int().meta({ description: 'ms since the Unix epoch' }),
  })
  .meta({ id: 'Message' });
export type MessageOut = z.output<typeof messageSchema>;

export const threadSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['direct', 'group']),
    title: z.string().optional().meta({ description: 'Group threads only (a 1:1 title would name a person)' }),
    messageCount: z.number().int().min(0),
    lastActivityAt: z.number().int().meta({ description: 'ms since the Unix epoch' }),
  })
  .meta({
    id: 'Thread',
    example: { id: 'g_weekend', kind: 'group', title: 'Weekend plans', messageCount: 5, lastActivityAt: 1767605100000 },
  });
export type ThreadOut = z.output<typeof threadSchema>;

/** A page of a list: `nextCursor` is the `max_id` of the next (older) page; `prevCursor` the `since_id`/`min_id` of newer items. */
function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as `max_id` for the items after this page; `null` when none follow' }),
      prevCursor: z.string().nullable().meta({
        description:
          'Pass as `since_id` or `min_id` for items newer than this page; `null` on an empty page without cursor',
      }),
    })
    .meta({ id: `${name}Page` });
}
export const personPageSchema = pageOf(personSchema, 'Person');
export const threadPageSchema = pageOf(threadSchema, 'Thread');
export const messagePageSchema = pageOf(messageSchema, 'Message');
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  prevCursor: string | null;
}

/** RFC 9457 problem details, as every error of the API is sent. */
export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    scope: z.string().optional().meta({ description: '`insufficient_scope`: the scope the request needs' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({
    id: 'Problem',
    example: {
      type: 'https://glasshouse.example/problems/insufficient_scope',
      title: 'Forbidden',
      status: 403,
      detail: 'This request needs the scope "messages:read"',
      scope: 'messages:read',
    },
  });
