import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { inputIssues } from '../http/validate.js';
import type { SocialService } from '../social/social-service.js';
import type { Message } from '../store/schema.js';
import { compareKeys } from '../store/sorted-keys.js';
import type { Store } from '../store/store.js';
import type { MessageView } from '../web/message-view.js';
import { refuse, type EventRefusal } from './catch-all.js';

/** One live message for a page: the data and the rendered `partials/message.eta` for that viewer. */
export interface InboxMessageEvent {
  message: MessageView;
  threadTitle: string;
  html: string;
}

/** The page asks, after a reconnect, for what it missed (README "Catch-up after a reconnect"). */
export const CATCH_UP_EVENT = 'messages:since';
/** Most messages one catch-up answers (oldest first); the page reloads when `more` is true. */
export const CATCH_UP_LIMIT = 200;

const querySchema = z.object({
  /** ms since epoch: messages created at or after it (the page dedupes by message id). */
  since: z.number().int().min(0),
  /** Only this thread (the thread page); otherwise every thread of the person (the inbox page). */
  threadId: z.string().min(1).max(100).optional(),
  /** Ids of the messages the page shows: those deleted meanwhile come back in `gone`. */
  shown: z
    .array(z.string().min(1).max(100))
    .max(CATCH_UP_LIMIT * 5)
    .optional(),
});

export type CatchUpAck =
  { messages: InboxMessageEvent[]; more: boolean; gone?: string[] } | EventRefusal | { error: 'not_found' };

/**
 * Answers `messages:since` `{ since, threadId?, shown? }` with `{ messages, more, gone? }`: the
 * person's messages created at or after `since`, oldest first, each as `message:created` would have
 * carried it. A deleted message is simply absent; the cursor is a time, so it works whatever was
 * deleted. `gone` (when `shown` was sent): the ids of `shown` that are no longer messages of these
 * threads (deleted during the gap, whose `message:deleted` the page missed).
 * Refusals: `invalid_payload`, `not_found` (not a thread of this person).
 */
export function inboxCatchUp(
  deps: {
    store: Store;
    social: SocialService;
    logger: Logger;
    present: (m: Message, viewerId: string) => InboxMessageEvent;
  },
  socket: Socket,
  personId: string,
  query: unknown,
  ack: unknown,
): void {
  if (typeof ack !== 'function')
    return refuse(deps.logger, socket, CATCH_UP_EVENT, ack, 'an acknowledgement callback is required');
  const parsed = querySchema.safeParse(query);
  if (!parsed.success)
    return refuse(
      deps.logger,
      socket,
      CATCH_UP_EVENT,
      ack,
      inputIssues(parsed.error, query)
        .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
        .join('; '),
    );
  const { since, threadId, shown } = parsed.data;
  let threadIds: string[];
  try {
    threadIds = threadId
      ? [deps.social.threadFor(personId, threadId).id]
      : deps.store.threadsOf(personId).map((t) => t.id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404)
      return void (ack as (a: CatchUpAck) => void)({ error: 'not_found' });
    throw err;
  }
  const missed: Message[] = [];
  for (const id of threadIds) {
    // The thread's timeline is sorted by [createdAt, id]: read from `since` on, at most one page more.
    const recent: Message[] = [];
    for (const messageId of deps.store.messageIndexOf(id)?.ascIds(undefined, [since]) ?? []) {
      const m = deps.store.get('messages', messageId);
      if (m) recent.push(m);
      if (recent.length > CATCH_UP_LIMIT) break;
    }
    missed.push(...recent);
  }
  // The timelines' order, [createdAt, id]: messages of one millisecond in different threads come in
  // the order they were created (stamped ids count within a millisecond), not in the threads' order.
  missed.sort((a, b) => compareKeys([a.createdAt, a.id], [b.createdAt, b.id]));
  const page = missed.slice(0, CATCH_UP_LIMIT);
  const readable = new Set(threadIds);
  const gone = shown?.filter((id) => {
    const m = deps.store.get('messages', id);
    return !m || !readable.has(m.threadId);
  });
  (ack as (a: CatchUpAck) => void)({
    messages: page.map((m) => deps.present(m, personId)),
    more: missed.length > page.length,
    ...(gone ? { gone } : {}),
  });
}
