import { z } from 'zod';

/**
 * Shapes of the messaging API's resources (base `/api/v1`), decoded at the edge with zod. Objects
 * are loose: members the SDK does not know are kept, so a newer platform does not break partners.
 */

/** A person as the API shows them (`profile` scope for `/me`; friends and participants alike). */
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

/** ms since epoch, whether the API sends a number or an ISO 8601 string. */
const instant = z.union([z.number(), z.string().transform((s) => Date.parse(s))]);

export const messageSchema = z.looseObject({
  id: z.string(),
  threadId: z.string(),
  senderId: z.string(),
  /** Present when the API includes the sender's name. */
  senderName: z.string().optional(),
  text: z.string(),
  nowPlaying: nowPlayingSchema.optional(),
  /** Client id of the app the message was sent through, if any. */
  via: z.string().optional(),
  /** ms since epoch. */
  createdAt: instant,
});
export type Message = z.infer<typeof messageSchema>;

export const threadSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(['direct', 'group']).optional(),
  /** Group title, or the name the API gives a direct thread. */
  title: z.string().optional(),
  participantIds: z.array(z.string()).optional(),
});
export type Thread = z.infer<typeof threadSchema>;

/** One page of a thread's messages, oldest first. */
export interface MessagePage {
  messages: Message[];
  /** Pass as `before` to get the previous page; absent on the first message. */
  nextBefore?: string | undefined;
}

/** Body of `POST /threads/{id}/messages`; with `to` it is the body of `POST /me/messages`. */
export interface NewMessage {
  /** 1–2000 characters. */
  text: string;
  nowPlaying?: { kind: 'track' | 'episode' | 'film'; title: string; artist?: string; url?: string };
}

/**
 * A list member of a response: the API may answer a bare array or an object holding the array
 * under `key` (`{ "threads": [...] }`); both decode to the array.
 */
export function listOf<T extends z.ZodType>(item: T, key: string) {
  return z.union([z.array(item), z.looseObject({ [key]: z.array(item) }).transform((o) => o[key] as z.infer<T>[])]);
}

/** Decodes a message page: `{ messages, nextBefore? }` or a bare array. */
export const messagePageSchema = z.union([
  z.array(messageSchema).transform((messages): MessagePage => ({ messages })),
  z
    .looseObject({ messages: z.array(messageSchema), nextBefore: z.string().nullish() })
    .transform((o): MessagePage => ({ messages: o.messages, nextBefore: o.nextBefore ?? undefined })),
]);

/** A single resource, bare or wrapped under `key` (`{ "message": {...} }`). */
export function oneOf<T extends z.ZodType>(item: T, key: string) {
  return z.union([item, z.looseObject({ [key]: item }).transform((o) => o[key] as z.infer<T>)]);
}

/** Events of the `/partners` socket.io namespace (server → partner). */
export interface PartnerServerToClientEvents {
  /** A message was created in a thread of the token's resource owner (needs `messages:read`). */
  'message:created': (payload: { message: Message }) => void;
  /** A message was deleted from a thread of the resource owner. */
  'message:deleted': (payload: { messageId: string; threadId: string }) => void;
}
