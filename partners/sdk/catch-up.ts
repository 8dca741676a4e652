import { newerThan, type GlasshouseClient } from './client.js';
import { GlasshouseApiError } from './errors.js';
import type { Message } from './types.js';

/** What the socket helper needs to catch up after a reconnect (README "Catch-up after a reconnect"). */
export interface CatchUpOptions {
  /** The messaging API client of the same resource owner (its reads are logged as accesses, as any). */
  client: Pick<GlasshouseClient, 'threads' | 'messages'>;
  /** Every message exactly once, oldest first within a catch-up: live (`replayed: false`) or read back after a gap (`true`). */
  onMessage: (message: Message, info: { replayed: boolean }) => void;
  /** The last message seen in an earlier run (persisted by the caller): the first connection catches up from it too. */
  lastSeen?: MessageMark;
  /** A catch-up read failed (e.g. the token was revoked): the live socket goes on. */
  onError?: (err: unknown) => void;
}

/**
 * Where a reader is: a message's id (a cursor even after it is deleted) and creation time (ms); or,
 * before any message reached it, only the platform's time at the first connection (`id: ''`).
 */
export interface MessageMark {
  id: string;
  createdAt: number;
}

/** Most message ids remembered to skip duplicates. */
const REMEMBERED = 1000;

const later = (a: MessageMark, b: MessageMark) =>
  a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

/** The minimal socket surface used here (socket.io-client's `Socket`). */
interface MessageSocket {
  on(event: 'message:created', listener: (payload: { message: Message }) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
}

/**
 * Follows `message:created` on `socket` and, on every reconnection (and on the first connection
 * when `lastSeen` is given), reads what was missed through the messaging API: the threads whose
 * last activity is at or after the last message seen, each from that message on (`min_id`, via
 * `newerThan`). Live messages arriving meanwhile are held back and delivered after, and every
 * message id is delivered once. Before any message arrived, `platformNow` (the platform's time, from
 * the `sync` ack) marks the first connection, so a drop before the first message loses nothing.
 * @returns `lastSeen()`: the newest message delivered so far, to persist.
 */
export function followMessages(
  socket: MessageSocket,
  options: CatchUpOptions,
  platformNow?: () => Promise<number | undefined>,
): { lastSeen(): MessageMark | undefined } {
  const { client, onMessage } = options;
  let last = options.lastSeen;
  const seen = new Set<string>();
  let held: Message[] | undefined;
  let connectedBefore = false;
  let running: Promise<void> = Promise.resolve();

  function deliver(message: Message, replayed: boolean): void {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    if (seen.size > REMEMBERED) seen.delete(seen.values().next().value!);
    if (!last || later(message, last)) last = { id: message.id, createdAt: message.createdAt };
    onMessage(message, { replayed });
  }

  /** A thread's messages created after `at` (ms), newest first. */
  async function newerThanTime(threadId: string, at: number): Promise<{ items: Message[] }> {
    const items: Message[] = [];
    let maxId: string | undefined;
    for (;;) {
      const page = await client.messages(threadId, { limit: 100, ...(maxId ? { maxId } : {}) });
      for (const m of page.items) {
        if (m.createdAt <= at) return { items };
        items.push(m);
      }
      if (!page.nextCursor) return { items };
      maxId = page.nextCursor;
    }
  }

  async function missedSince(from: MessageMark): Promise<Message[]> {
    const missed: Message[] = [];
    let maxId: string | undefined;
    for (;;) {
      const page = await client.threads({ limit: 100, ...(maxId ? { maxId } : {}) });
      for (const thread of page.items) {
        if (thread.lastActivityAt < from.createdAt) return missed;
        const read = from.id
          ? newerThan((p) => client.messages(thread.id, p), from.id).catch((err: unknown) => {
              // An id the platform cannot place in this thread (a seeded message's id from another
              // thread, or deleted before a restart): the same messages by time instead.
              if (!(err instanceof GlasshouseApiError && err.code === 'invalid_cursor')) throw err;
              return newerThanTime(thread.id, from.createdAt - 1).then(({ items }) => ({
                items: items.filter((m) => later(m, from)),
              }));
            })
          : newerThanTime(thread.id, from.createdAt);
        const newer = await read.catch((err: unknown) => {
          if (err instanceof GlasshouseApiError && err.status === 404) return { items: [] }; // no longer readable
          throw err;
        });
        missed.push(...newer.items);
      }
      if (!page.nextCursor) return missed;
      maxId = page.nextCursor;
    }
  }

  async function catchUp(): Promise<void> {
    if (!last) return;
    held = [];
    try {
      const missed = await missedSince(last);
      missed.sort((a, b) => (later(a, b) ? 1 : later(b, a) ? -1 : 0));
      for (const m of missed) deliver(m, true);
    } catch (err) {
      options.onError?.(err);
    } finally {
      const live = held;
      held = undefined;
      for (const m of live) deliver(m, false);
    }
  }

  socket.on('message:created', ({ message }) => (held ? held.push(message) : deliver(message, false)));
  socket.on('connect', () => {
    const again = connectedBefore || options.lastSeen !== undefined;
    connectedBefore = true;
    if (again) running = running.then(catchUp);
    else if (!last && platformNow) {
      running = running.then(async () => {
        const at = await platformNow().catch(() => undefined);
        if (at !== undefined && !last) last = { id: '', createdAt: at };
      });
    }
  });
  return { lastSeen: () => last };
}
