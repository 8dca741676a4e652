import { z } from 'zod';

/**
 * Shapes of the messaging API's resources (base `/api/v1`), decoded at the edge with zod. Objects
 * are loose: members the SDK does not know are kept, so a newer platform does not break partners.
 */

/** A person as the API shows them (`/me`, friends, participants, message senders). */
export const personSchema = z.looseObject({ id: z.string(), username: z.string(), displayName: z.string() });
export type Person = z.infer<typeof personSchema>;

/** The "now playing" attachment of a message. */
export const nowPlayingSchema = z.looseObject({
  kind: z.enum(['track', 'episode', 'film']),
  title: z.string(),
  artist: z.string().optional(),
  url: z.string().optional(),
});
export type NowPlaying = z.infer<typeof nowPlayingSchema>;

export const messageSchema = z.looseObject({
  id: z.string(),
  threadId: z.string(),
  /** Who wrote it (their public identity). */
  sender: personSchema,
  text: z.string(),
  nowPlaying: nowPlayingSchema.optional(),
  /** Client id of the app it was sent through, if any. */
  via: z.string().optional(),
  /** ms since epoch. */
  createdAt: z.number(),
});
export type Message = z.infer<typeof messageSchema>;

/** A thread of the resource owner, without its participants (those need `threads:participants`). */
export const threadSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(['direct', 'group']),
  /** Group threads only. */
  title: z.string().optional(),
  messageCount: z.number(),
  /** ms since epoch of the last message (or of the thread's creation). */
  lastActivityAt: z.number(),
});
export type Thread = z.infer<typeof threadSchema>;

/**
 * One page of a list. Pass `nextCursor` as `maxId` for the next (older) page, `null` on the last one;
 * `prevCursor` as `sinceId`/`minId` for what is newer than this page (`null` only when nothing was
 * listed). Cursors are opaque.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  prevCursor: string | null;
}

/**
 * Paging of every list (keyset, the platform README "Paging"): `limit` 1–100 (the API's default 50);
 * `maxId` older than (alias `before`); `sinceId` the newest items newer than; `minId` the items
 * immediately newer (to walk forward without gaps). Each is a cursor from a page or an item id
 * (a deleted message's id too). Not `maxId` with `before`, nor `sinceId` with `minId`.
 */
export interface PageQuery {
  limit?: number;
  maxId?: string;
  /** Alias of `maxId`, kept for existing callers. */
  before?: string;
  sinceId?: string;
  minId?: string;
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z
    .looseObject({ items: z.array(item), nextCursor: z.string().nullable(), prevCursor: z.string().nullable().optional() })
    .transform((p): Page<z.infer<T>> => ({ items: p.items, nextCursor: p.nextCursor, prevCursor: p.prevCursor ?? null }));
}

/** A "now playing" card as sent (`url` must be http(s)). */
export interface NowPlayingInput {
  kind: 'track' | 'episode' | 'film';
  /** 1–200 characters. */
  title: string;
  artist?: string;
  url?: string;
}

/** Body of `POST /threads/{id}/messages`; with `to` it is the body of `POST /me/messages`. */
export interface NewMessage {
  /** 1–2000 characters once trimmed. */
  text: string;
  nowPlaying?: NowPlayingInput;
}

/** Events of the `/partners` socket.io namespace (server → partner). */
export interface PartnerServerToClientEvents {
  /** A message was created in a thread of the token's resource owner (needs `messages:read`). */
  'message:created': (payload: { message: Message }) => void;
  /** A message was deleted from a thread of the resource owner. */
  'message:deleted': (payload: { messageId: string; threadId: string }) => void;
}
