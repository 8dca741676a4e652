import { Router } from 'express';
import { clientExposure, personExposure } from '../audit/exposure.js';
import { clientGrantUsage } from '../audit/granted-vs-used.js';
import { NotFoundError } from '../errors.js';
import type { EventBus } from '../events.js';
import { jsonBody } from '../http/json-body.js';
import { parseInput } from '../http/validate.js';
import type { ClientRegistry } from '../oauth/client-registry.js';
import type { TokenService } from '../oauth/token-service.js';
import type { Person, World } from '../store/schema.js';
import type { Store } from '../store/store.js';
import {
  clientParamsSchema, clientStatusBodySchema, exposureQuerySchema, revokeBodySchema, threadParamsSchema, tokenRequestSchema,
} from './admin-schemas.js';

export interface AdminWorldDeps {
  store: Store;
  events: EventBus;
  tokens: TokenService;
  clients: ClientRegistry;
  /** The world `POST /admin/reset` goes back to. */
  seed: () => World;
}

/**
 * The tester's half of the admin API (auth and `Cache-Control: no-store` come from adminRoutes):
 * - `POST /reset` → 200 `{ people, threads, messages }`: the store back to the seed (durable), every
 *   token and grant gone, partner sockets disconnected (`world.reset`).
 * - `POST /tokens` `{ username, clientId, scopes }` → 200 RFC 6749 §5.1 token response, as if the
 *   person had consented (a grant is recorded; shows on their Apps page). 404 unknown person or
 *   client, 400 `invalid_scope`, 403 client shut down.
 * - `POST /grants/revoke` `{ username, clientId }` → 204: the person's grant and all its tokens revoked.
 * - `GET /exposure?clientId=&username=` → 200 exposure per client (all, or one), or of one person.
 * - `GET /people` → 200 `{ people: [{ id, username, displayName }] }` (usernames to ids, for scripts).
 * - `GET /clients`, `PATCH /clients/{clientId}` `{ status: "active"|"shut_down" }` → the client.
 *   Shutting down stops its tokens at once (API 401, sockets closed) and its consent page.
 * - `GET /threads/{threadId}/messages` → every message of a thread (for assertions).
 */
export function adminWorldRoutes({ store, events, tokens, clients, seed }: AdminWorldDeps): Router {
  const router = Router();
  const personByUsername = (username: string): Person => {
    const person = store.personByUsername(username);
    if (!person) throw new NotFoundError(`No person with username "${username}"`);
    return person;
  };
  const ref = (id: string) => ({ id, username: store.get('people', id)?.username ?? id });
  const knownClient = (clientId: string) => {
    const client = store.client(clientId);
    if (!client) throw new NotFoundError(`No client "${clientId}"`);
    return client;
  };

  router.post('/reset', async (_req, res) => {
    await store.reset(seed());
    events.emit('world.reset', {});
    res.json({ people: store.all('people').length, threads: store.all('threads').length, messages: store.all('messages').length });
  });

  router.post('/tokens', ...jsonBody(), async (req, res) => {
    const body = parseInput(tokenRequestSchema, req.body, 'body');
    const person = personByUsername(body.username);
    knownClient(body.clientId);
    res.json(await tokens.issue({ personId: person.id, clientId: body.clientId, scopes: body.scopes }));
  });

  router.post('/grants/revoke', ...jsonBody(), async (req, res) => {
    const body = parseInput(revokeBodySchema, req.body, 'body');
    const person = personByUsername(body.username);
    const row = store.get('authorizations', `${person.id}~${body.clientId}`);
    if (!row?.grantId || row.revokedAt !== undefined) throw new NotFoundError(`${body.username} has no current grant for ${body.clientId}`);
    await tokens.revokeGrant(row.grantId);
    res.status(204).end();
  });

  router.get('/exposure', (req, res) => {
    const query = parseInput(exposureQuerySchema, req.query, 'query');
    if (query.username) {
      const person = personByUsername(query.username);
      const apps = personExposure(store, person.id)
        .filter((x) => !query.clientId || x.clientId === query.clientId)
        .map((x) => ({ clientId: x.clientId, authorized: x.authorized, accesses: x.accesses, onBehalfOf: x.onBehalfOf.map(ref), threads: x.threads, lastAt: x.lastAt }));
      return res.json({ person: { username: person.username, apps } });
    }
    const ids = query.clientId ? [knownClient(query.clientId).id] : store.all('clients').map((c) => c.id).sort();
    res.json({
      clients: ids.map((id) => {
        const x = clientExposure(store, id);
        return { ...x, authorizedPeople: x.authorizedPeople.map(ref), peopleSeen: x.peopleSeen.map(ref), bystanders: x.bystanders.map(ref), scopes: clientGrantUsage(store, id) };
      }),
    });
  });

  router.get('/people', (_req, res) => {
    res.json({ people: store.all('people').map(({ id, username, displayName }) => ({ id, username, displayName })) });
  });

  router.get('/clients', (_req, res) => {
    res.json({ clients: store.all('clients').map((c) => ({ id: c.id, name: c.name, status: c.status })) });
  });

  router.patch('/clients/:clientId', ...jsonBody(), async (req, res) => {
    const { clientId } = parseInput(clientParamsSchema, req.params, 'path');
    const { status } = parseInput(clientStatusBodySchema, req.body, 'body');
    knownClient(clientId);
    await clients.setStatus(clientId, status);
    const client = knownClient(clientId);
    res.json({ id: client.id, name: client.name, status: client.status });
  });

  router.get('/threads/:threadId/messages', (req, res) => {
    const { threadId } = parseInput(threadParamsSchema, req.params, 'path');
    if (!store.get('threads', threadId)) throw new NotFoundError('No such thread');
    const messages = store.messageIdsIn(threadId).map((id) => store.get('messages', id)!);
    res.json({ messages: messages.map(({ id, threadId: t, senderId, text, nowPlaying, via, createdAt }) => ({
      id, threadId: t, senderId, text, ...(nowPlaying ? { nowPlaying } : {}), ...(via ? { via } : {}), createdAt,
    })) });
  });
  return router;
}
