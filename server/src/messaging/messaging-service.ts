import { ForbiddenError, NotFoundError } from '../errors.js';
import type { AlongRows, SocialService } from '../social/social-service.js';
import type { AccessEntry, Message } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { keysetPage } from './pagination.js';
import { messageKeyset, peopleKeyset, threadKeyset } from './keysets.js';
import { mayDeleteMessage, mayReadMessage, mayReadThread, maySeeParticipants } from './policy.js';
import type { MessageOut, NewMessageBody, Page, PageQuery, PersonOut, ThreadOut } from './schemas.js';
import { createMessageViews } from './message-views.js';
import { messageOut, personOut, threadOut } from './views.js';

/** Who calls: the client and the resource owner of a verified access token. */
export interface Caller {
  clientId: string;
  personId: string;
}

/** What one response disclosed, for the access log (the route adds client, owner, scope, operation). */
export type AccessDraft = Pick<AccessEntry, 'action' | 'threadIds' | 'messageIds' | 'peopleIncluded'>;

/** Builds the access-log entry of `access` as rows for the caller's own commit (see `AlongRows`). */
export type LogAlong = (access: AccessDraft) => AlongRows;

/** A response body with the access it amounts to. */
export interface Outcome<T> {
  body: T;
  /** `JSON.stringify(body)` as UTF-8 bytes, when the route had it at hand already (message-views.ts). */
  json?: Buffer;
  access: AccessDraft;
}

const distinct = (ids: string[]) => [...new Set(ids)];
const read = (threadIds: string[], messageIds: string[], people: string[]): AccessDraft => ({
  action: 'read',
  threadIds: distinct(threadIds),
  messageIds,
  peopleIncluded: distinct(people),
});

/**
 * The messaging API's logic as plain functions of a caller: the social rules (participants only,
 * friends only for a new 1:1) come from the social service, the policy rules from policy.ts. Every
 * function returns the body and the access it amounts to, and throws NotFoundError (404) for anything
 * the token may not see, ForbiddenError (403) for a visible thing the policy does not let it touch.
 */
export function createMessagingService({ store, social }: { store: Store; social: SocialService }) {
  const views = createMessageViews(store);
  /** The owner's thread, if the client may read it under the current policy; else 404 `notFound`. */
  function readableThread(caller: Caller, threadId: string, notFound = 'No such thread') {
    const thread = store.get('threads', threadId);
    if (!thread?.participantIds.includes(caller.personId) || !mayReadThread(store, caller, thread.id)) {
      throw new NotFoundError(notFound);
    }
    return thread;
  }

  const writeAccess = (message: Message): AccessDraft => ({
    action: 'write',
    threadIds: [message.threadId],
    messageIds: [message.id],
    peopleIncluded: [message.senderId],
  });

  /** Its access-log entry, made durable in the same commit as the message (`logAlong`). */
  function along(logAlong: LogAlong | undefined): AlongRows | undefined {
    if (!logAlong) return undefined;
    let rows: AlongRows | undefined;
    return {
      ops: (message) => (rows = logAlong(writeAccess(message))).ops(message),
      durable: () => rows?.durable(),
    };
  }

  function written(message: Message): Outcome<MessageOut> {
    return { body: messageOut(store, message), access: writeAccess(message) };
  }

  return {
    /** `GET /me`: the owner's public identity. */
    me(caller: Caller): Outcome<PersonOut> {
      const me = social.person(caller.personId);
      return { body: personOut(me), access: read([], [], [me.id]) };
    },

    /** `GET /me/friends`: the owner's friends by display name, paged by keyset. */
    friends(caller: Caller, query: PageQuery): Outcome<Page<PersonOut>> {
      const page = keysetPage(peopleKeyset(social.friendsOf(caller.personId).map(personOut)), query);
      return {
        body: page,
        access: read(
          [],
          [],
          page.items.map((p) => p.id),
        ),
      };
    },

    /** `GET /threads`: the owner's threads the client may read, most recent activity first, paged by keyset. */
    threads(caller: Caller, query: PageQuery): Outcome<Page<ThreadOut>> {
      const page = keysetPage(threadKeyset(store, caller), query);
      return {
        body: { ...page, items: page.items.map((t) => threadOut(store, caller, t)) },
        access: read(
          page.items.map((t) => t.id),
          [],
          [],
        ),
      };
    },

    /** `GET /threads/{threadId}/messages`: newest first, paged by keyset (cursors or message ids). */
    messages(caller: Caller, threadId: string, query: PageQuery): Outcome<Page<MessageOut>> {
      const thread = readableThread(caller, threadId);
      const page = keysetPage(messageKeyset(store, caller, thread.id), query);
      return {
        ...views.page(page),
        access: read(
          [thread.id],
          page.items.map((m) => m.id),
          page.items.map((m) => m.senderId),
        ),
      };
    },

    /** `GET /threads/{threadId}/participants`: everyone on the thread, by display name, paged. */
    participants(caller: Caller, threadId: string, query: PageQuery): Outcome<Page<PersonOut>> {
      const thread = social.threadFor(caller.personId, threadId);
      if (!maySeeParticipants(store, caller, thread.id)) throw new NotFoundError('No such thread');
      const page = keysetPage(peopleKeyset(thread.participantIds.map((pid) => personOut(social.person(pid)))), query);
      return {
        body: page,
        access: read(
          [thread.id],
          [],
          page.items.map((p) => p.id),
        ),
      };
    },

    /** `POST /threads/{threadId}/messages`: sends as the owner, `via` the client (with its log entry when `logAlong`). */
    async post(
      caller: Caller,
      threadId: string,
      input: NewMessageBody,
      logAlong?: LogAlong,
    ): Promise<Outcome<MessageOut>> {
      const message = await social.send(caller.personId, threadId, { ...input, via: caller.clientId }, along(logAlong));
      return written(message);
    },

    /** `POST /me/messages`: sends to a friend in their 1:1 thread (created on first use). */
    async postDirect(
      caller: Caller,
      to: string,
      input: NewMessageBody,
      logAlong?: LogAlong,
    ): Promise<Outcome<MessageOut>> {
      // An unknown id answers as someone who is not a friend: a client never learns which ids exist.
      if (!store.get('people', to)) throw new ForbiddenError('Only friends can start a conversation', 'not_friends');
      return written(await social.sendDirect(caller.personId, to, { ...input, via: caller.clientId }, along(logAlong)));
    },

    /**
     * `DELETE /messages/{messageId}`. 404 when the message is not in a thread the client may read;
     * 403 `forbidden_by_policy` when it is visible but the policy keeps it from deleting it. The
     * access names the author of the deleted message: their content is what the access destroyed.
     */
    async remove(caller: Caller, messageId: string, logAlong?: LogAlong): Promise<Outcome<undefined>> {
      const message = store.get('messages', messageId);
      if (!message) throw new NotFoundError('No such message');
      readableThread(caller, message.threadId, 'No such message');
      if (!mayReadMessage(store, caller, message)) throw new NotFoundError('No such message');
      if (!mayDeleteMessage(store, caller, message)) {
        throw new ForbiddenError(
          'Under the least-privilege policy a client deletes only messages it sent for this person',
          'forbidden_by_policy',
        );
      }
      const access: AccessDraft = {
        action: 'delete',
        threadIds: [message.threadId],
        messageIds: [message.id],
        peopleIncluded: [message.senderId],
      };
      // Its access-log entry in the same commit as the deletion (durable or refused together).
      await social.removeMessage(message, caller.personId, caller.clientId, logAlong?.(access));
      return { body: undefined, access };
    },
  };
}

export type MessagingService = ReturnType<typeof createMessagingService>;
