import { z } from 'zod';
import type { components, operations } from './contract/messaging-api.js';

/**
 * Shapes of the messaging API's resources (base `/api/v1`). The types are the generated wire
 * contract (`./contract/messaging-api.ts`, from the server's OpenAPI document: `npm run contract`);
 * the zod decoders below check answers at the edge and are held to exactly those types at compile
 * time (`Same`). Objects are loose: members the SDK does not know are kept, so a newer platform does
 * not break partners.
 */
type Schemas = components['schemas'];

/** `true` when A and B are assignable both ways (no member missing, extra or of another type). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** `true` when a loose zod object decodes exactly `T`: the same members (optional ones too), each of the same type. */
type Decodes<S extends { shape: object }, T> =
  Same<keyof S['shape'], keyof T> extends true ? Same<z.output<S>, T> : false;

export type Person = Schemas['Person'];
export type NowPlaying = Schemas['NowPlaying'];
export type Message = Schemas['Message'];
export type Thread = Schemas['Thread'];
/** A "now playing" card as sent (`url` must be http(s); title and artist 1–200 characters). */
export type NowPlayingInput = Schemas['NowPlaying'];
/** Body of `POST /threads/{id}/messages`; with `to` it is the body of `POST /me/messages`. */
export type NewMessage = Schemas['NewMessage'];

/** A person as the API shows them (`/me`, friends, participants, message senders). */
export const personSchema = z.looseObject({ id: z.string(), username: z.string(), displayName: z.string() });

/** The "now playing" attachment of a message. */
export const nowPlayingSchema = z.looseObject({
  kind: z.enum(['track', 'episode', 'film']),
  title: z.string(),
  artist: z.string().optional(),
  url: z.string().optional(),
});

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

// Compile-time check: each decoder yields exactly the generated wire type (tsc fails otherwise).
const decodersMatchTheContract: [
  Decodes<typeof personSchema, Person>,
  Decodes<typeof nowPlayingSchema, NowPlaying>,
  Decodes<typeof messageSchema, Message>,
  Decodes<typeof threadSchema, Thread>,
] = [true, true, true, true];
void decodersMatchTheContract;

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

/** `maxId` → `max_id`: a query parameter's name on the wire. */
type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;
// Compile-time check: PageQuery names exactly the list parameters of the generated contract.
const pageQueryMatchesTheContract: Same<
  SnakeCase<keyof PageQuery & string>,
  keyof NonNullable<operations['listThreads']['parameters']['query']>
> = true;
void pageQueryMatchesTheContract;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z
    .looseObject({
      items: z.array(item),
      nextCursor: z.string().nullable(),
      prevCursor: z.string().nullable().optional(),
    })
    .transform((p): Page<z.infer<T>> => ({
      items: p.items,
      nextCursor: p.nextCursor,
      prevCursor: p.prevCursor ?? null,
    }));
}

/** Events of the `/partners` socket.io namespace (server → partner). */
export interface PartnerServerToClientEvents {
  /** A message was created in a thread of the token's resource owner (needs `messages:read`). */
  'message:created': (payload: { message: Message }) => void;
  /** A message was deleted from a thread of the resource owner. */
  'message:deleted': (payload: { messageId: string; threadId: string }) => void;
}
