import { z } from 'zod';
import { accessLogQuerySchema, queryAccessLog } from '../audit/access-log-query.js';
import { clientExposure, personExposure } from '../audit/exposure.js';
import { clientGrantUsage } from '../audit/granted-vs-used.js';
import { isControllable, type Clock } from '../clock/clock.js';
import { NotFoundError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { ClientRegistry } from '../oauth/client-registry.js';
import type { TokenService } from '../oauth/token-service.js';
import { setPolicyMode } from '../policy/policy-mode.js';
import type { Person, World } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { defineAdminRoute, type AnyAdminRoute } from './admin-route.js';
import {
  accessLogResponseSchema,
  adminMessageSchema,
  adminPersonSchema,
  clientParamsSchema,
  clientSchema,
  clientStatusBodySchema,
  exposureQuerySchema,
  exposureResponseSchema,
  policyBodySchema,
  resetResponseSchema,
  threadParamsSchema,
} from './admin-schemas.js';

export interface AdminWorldDeps {
  store: Store;
  events: EventBus;
  clock: Clock;
  tokens: TokenService;
  clients: ClientRegistry;
  /** The world `POST /admin/reset` goes back to. */
  seed: () => World;
}

/** The person with `username`. @throws NotFoundError */
export function personByUsername(store: Store, username: string): Person {
  const person = store.personByUsername(username);
  if (!person) throw new NotFoundError(`No person with username "${username}"`);
  return person;
}

/** The stored client `clientId`. @throws NotFoundError */
export function knownClient(store: Store, clientId: string) {
  const client = store.client(clientId);
  if (!client) throw new NotFoundError(`No client "${clientId}"`);
  return client;
}

/** The world half of the admin API: reset, people, clients, policy, messages, access log, exposure. */
export function adminWorldRoutes({ store, events, clock, clients, seed }: AdminWorldDeps): AnyAdminRoute[] {
  const ref = (id: string) => ({ id, username: store.get('people', id)?.username ?? id });
  const clientOut = (id: string) => {
    const c = knownClient(store, id);
    return { id: c.id, name: c.name, status: c.status };
  };
  return [
    defineAdminRoute({
      method: 'post',
      path: '/reset',
      operationId: 'reset',
      summary: 'Reset the world',
      description:
        'Back to the seed: people, threads, messages, clients; every grant, token and injected fault gone, partner sockets closed, a controllable clock back to the wall clock. All or nothing: answered once the new world is on disk; when it cannot be saved nothing is reset (503).',
      success: { status: 200, description: 'Counts after the reset', schema: resetResponseSchema },
      errors: [{ status: 503, description: 'The new world could not be saved (Retry-After); nothing was reset' }],
      async handle() {
        await store.reset(seed()); // durable before anything else hears of it (clock, faults, sockets)
        if (isControllable(clock)) clock.reset();
        events.emit('world.reset', {});
        return {
          people: store.all('people').length,
          threads: store.all('threads').length,
          messages: store.all('messages').length,
        };
      },
    }),
    defineAdminRoute({
      method: 'get',
      path: '/people',
      operationId: 'listPeople',
      summary: 'List people',
      description: 'Every person of the world (id, username, display name), to map usernames to ids.',
      success: {
        status: 200,
        description: 'People, in store order',
        schema: z.object({ people: z.array(adminPersonSchema) }),
      },
      errors: [],
      handle: () => ({
        people: store.all('people').map(({ id, username, displayName }) => ({ id, username, displayName })),
      }),
    }),
    defineAdminRoute({
      method: 'get',
      path: '/clients',
      operationId: 'listClients',
      summary: 'List clients',
      description: 'Registered OAuth clients and their status.',
      success: { status: 200, description: 'Clients', schema: z.object({ clients: z.array(clientSchema) }) },
      errors: [],
      handle: () => ({ clients: store.all('clients').map((c) => ({ id: c.id, name: c.name, status: c.status })) }),
    }),
    defineAdminRoute({
      method: 'patch',
      path: '/clients/{clientId}',
      operationId: 'setClientStatus',
      summary: 'Shut a client down or bring it back',
      description: 'Shutting down stops its tokens at once (API 401, sockets closed) and refuses its consent page.',
      params: clientParamsSchema,
      body: clientStatusBodySchema,
      success: { status: 200, description: 'The client', schema: clientSchema },
      errors: [{ status: 404, description: 'Unknown client' }],
      async handle({ params, body }) {
        knownClient(store, params.clientId);
        await clients.setStatus(params.clientId, body.status);
        return clientOut(params.clientId);
      },
    }),
    defineAdminRoute({
      method: 'put',
      path: '/policy',
      operationId: 'setPolicy',
      summary: 'Switch the policy mode',
      description: '`broad` (2018) or `least-privilege`, at run time; persisted, emits `policy.changed`.',
      body: policyBodySchema,
      success: { status: 200, description: 'The mode now in force', schema: policyBodySchema },
      errors: [],
      async handle({ body }) {
        await setPolicyMode(store, events, body.mode);
        return { mode: body.mode };
      },
    }),
    defineAdminRoute({
      method: 'get',
      path: '/threads/{threadId}/messages',
      operationId: 'threadMessages',
      summary: "Read a thread's messages",
      description: 'Every message of a thread, oldest first, for test assertions.',
      params: threadParamsSchema,
      success: {
        status: 200,
        description: 'Messages, oldest first',
        schema: z.object({ messages: z.array(adminMessageSchema) }),
      },
      errors: [{ status: 404, description: 'Unknown thread' }],
      handle({ params }) {
        if (!store.get('threads', params.threadId)) throw new NotFoundError('No such thread');
        const messages = store.messageIdsIn(params.threadId).map((id) => store.get('messages', id)!);
        return {
          messages: messages.map(({ id, threadId, senderId, text, nowPlaying, via, createdAt }) => ({
            id,
            threadId,
            senderId,
            text,
            ...(nowPlaying ? { nowPlaying } : {}),
            ...(via ? { via } : {}),
            createdAt,
          })),
        };
      },
    }),
    defineAdminRoute({
      method: 'get',
      path: '/access-log',
      operationId: 'accessLog',
      summary: 'Read the access log',
      description:
        'Entries newest last; filters combine (`since` in ms since epoch; `limit` 1–10000, default 1000, the most recent). Entries of injected faults carry `injected`.',
      query: accessLogQuerySchema,
      success: { status: 200, description: 'Matching entries', schema: accessLogResponseSchema },
      errors: [],
      handle: ({ query }) => ({ entries: queryAccessLog(store, query) }),
    }),
    defineAdminRoute({
      method: 'get',
      path: '/exposure',
      operationId: 'exposure',
      summary: 'Exposure report',
      description:
        'Per client (all, or `clientId`), or for one person (`username`; with `clientId` too, only that client): who was seen, bystanders, messages read/written/deleted, scopes granted vs used.',
      query: exposureQuerySchema,
      success: { status: 200, description: 'Exposure', schema: exposureResponseSchema },
      errors: [{ status: 404, description: 'Unknown client or person' }],
      handle({ query }) {
        if (query.clientId) knownClient(store, query.clientId); // 404 for an unknown one, with or without username
        if (query.username) {
          const person = personByUsername(store, query.username);
          const apps = personExposure(store, person.id)
            .filter((x) => !query.clientId || x.clientId === query.clientId)
            .map((x) => ({
              clientId: x.clientId,
              authorized: x.authorized,
              accesses: x.accesses,
              onBehalfOf: x.onBehalfOf.map(ref),
              threads: x.threads,
              lastAt: x.lastAt,
            }));
          return { person: { username: person.username, apps } };
        }
        const ids = query.clientId
          ? [knownClient(store, query.clientId).id]
          : store
              .all('clients')
              .map((c) => c.id)
              .sort();
        return {
          clients: ids.map((id) => {
            const x = clientExposure(store, id);
            return {
              ...x,
              authorizedPeople: x.authorizedPeople.map(ref),
              peopleSeen: x.peopleSeen.map(ref),
              bystanders: x.bystanders.map(ref),
              scopes: clientGrantUsage(store, id),
            };
          }),
        };
      },
    }),
  ];
}
