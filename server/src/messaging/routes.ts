import type { MessagingService } from './messaging-service.js';
import { defineRoute, type AnyRoute } from './route-spec.js';
import {
  messageParamsSchema,
  messagePageSchema,
  messageSchema,
  newDirectMessageSchema,
  newMessageSchema,
  pageQuerySchema,
  personPageSchema,
  personSchema,
  threadPageSchema,
  threadParamsSchema,
} from './schemas.js';

const POLICY_NOTE =
  'Under the `broad` policy every thread of the resource owner is reachable; under `least-privilege` only threads this client has posted into.';
const badInput = { status: 400, description: 'Invalid path, query or body (RFC 9457 problem with `errors`)' };
const notFound = (what: string) => ({
  status: 404,
  description: `${what}, or not visible to this token under the current policy`,
});

/**
 * The messaging API for partners (base `/api/v1`, RFC 6750 bearer tokens, JSON). Each route names
 * the scope it needs; the policy rules live in the service. Lists take `limit` (1–100, default 50)
 * and keyset cursors `max_id` (alias `before`), `since_id`, `min_id` (README "Paging").
 */
export function messagingRoutes(service: MessagingService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/me',
      operationId: 'getMe',
      tag: 'Me',
      scope: 'profile',
      summary: 'The resource owner',
      description: 'Id, username and display name of the person whose token this is.',
      success: { status: 200, description: 'The resource owner', schema: personSchema },
      errors: [],
      handle: ({ caller }) => service.me(caller),
    }),
    defineRoute({
      method: 'get',
      path: '/me/friends',
      operationId: 'listFriends',
      tag: 'Me',
      scope: 'friends:read',
      summary: "The resource owner's friends",
      description: 'Friends of the resource owner, by display name.',
      query: pageQuerySchema,
      success: { status: 200, description: 'A page of friends', schema: personPageSchema },
      errors: [badInput],
      handle: ({ caller, query }) => service.friends(caller, query),
    }),
    defineRoute({
      method: 'get',
      path: '/threads',
      operationId: 'listThreads',
      tag: 'Threads',
      scope: 'messages:read',
      summary: "The resource owner's threads",
      description: `Most recent activity first (the latest message posted; a deletion does not move a thread). A thread id is a cursor at its current place. ${POLICY_NOTE} Participants are not listed (see \`threads:participants\`).`,
      query: pageQuerySchema,
      success: { status: 200, description: 'A page of threads', schema: threadPageSchema },
      errors: [badInput],
      handle: ({ caller, query }) => service.threads(caller, query),
    }),
    defineRoute({
      method: 'get',
      path: '/threads/{threadId}/messages',
      operationId: 'listMessages',
      tag: 'Messages',
      scope: 'messages:read',
      summary: 'Messages of a thread',
      description: `Newest first, by creation. Cursors: a \`nextCursor\`/\`prevCursor\` or the id of a message of this thread, even a deleted one. ${POLICY_NOTE}`,
      params: threadParamsSchema,
      query: pageQuerySchema,
      success: { status: 200, description: 'A page of messages', schema: messagePageSchema },
      errors: [badInput, notFound('No such thread, the owner is not in it')],
      handle: ({ caller, params, query }) => service.messages(caller, params.threadId, query),
    }),
    defineRoute({
      method: 'get',
      path: '/threads/{threadId}/participants',
      operationId: 'listParticipants',
      tag: 'Threads',
      scope: 'threads:participants',
      summary: 'Everyone on a thread',
      description: `Including people who never used this client. ${POLICY_NOTE}`,
      params: threadParamsSchema,
      query: pageQuerySchema,
      success: { status: 200, description: 'A page of participants', schema: personPageSchema },
      errors: [badInput, notFound('No such thread, the owner is not in it')],
      handle: ({ caller, params, query }) => service.participants(caller, params.threadId, query),
    }),
    defineRoute({
      method: 'post',
      path: '/threads/{threadId}/messages',
      operationId: 'postMessage',
      tag: 'Messages',
      scope: 'messages:write',
      summary: 'Send a message to a thread',
      description: 'Sent as the resource owner, marked `via` this client; may carry a "now playing" card.',
      params: threadParamsSchema,
      body: newMessageSchema,
      success: { status: 201, description: 'The message sent', schema: messageSchema },
      errors: [badInput, notFound('No such thread, the owner is not in it')],
      handle: ({ caller, params, body, logAlong }) => service.post(caller, params.threadId, body, logAlong),
    }),
    defineRoute({
      method: 'post',
      path: '/me/messages',
      operationId: 'postDirectMessage',
      tag: 'Messages',
      scope: 'messages:write',
      summary: 'Send a message to a friend',
      description: 'Finds or creates the 1:1 thread with `to`; a new one only between friends.',
      body: newDirectMessageSchema,
      success: { status: 201, description: 'The message sent', schema: messageSchema },
      errors: [
        badInput,
        {
          status: 403,
          description:
            '`not_friends`: no 1:1 thread yet and not friends, `to` unknown (answered as a non-friend), or the owner',
        },
      ],
      handle: ({ caller, body: { to, ...message }, logAlong }) => service.postDirect(caller, to, message, logAlong),
    }),
    defineRoute({
      method: 'delete',
      path: '/messages/{messageId}',
      operationId: 'deleteMessage',
      tag: 'Messages',
      scope: 'messages:delete',
      summary: 'Delete a message',
      description:
        "Under `broad`, any message in the owner's threads; under `least-privilege`, only one this client sent for this owner (else 403 `forbidden_by_policy`).",
      params: messageParamsSchema,
      success: { status: 204, description: 'Deleted' },
      errors: [
        badInput,
        {
          status: 403,
          description: '`forbidden_by_policy`: visible, but the policy does not let this client delete it',
        },
        notFound('No such message'),
      ],
      handle: ({ caller, params, logAlong }) => service.remove(caller, params.messageId, logAlong),
    }),
  ];
}
