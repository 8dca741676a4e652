import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import type { AccessRecorder } from '../audit/access-recorder.js';
import { AppError, InvalidTokenError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { tokenKeyOf } from '../http/bearer-auth.js';
import { mayReadMessage } from '../messaging/policy.js';
import type { PartnerServerToClientEvents } from '../../../partners/sdk/types.js';
import { messageOut } from '../messaging/views.js';
import type { AccessTokenInfo, TokenService } from '../oauth/token-service.js';
import type { Message } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { answerUnknownEvents, refuse } from './catch-all.js';

/**
 * Events a partner receives on `/partners`, within its token's scope and the policy: the wire
 * contract's map (`partners/sdk/types.ts`), so what is emitted here is what the SDK listens for.
 */
export type PartnerServerToClient = PartnerServerToClientEvents;
/**
 * Partners mostly listen. `sync` (with an ack) is answered `{ ok: true }` after every delivery to this
 * socket decided before it: "I have everything up to now" (a marker, e.g. for tests that something
 * was *not* delivered).
 */
export interface PartnerClientToServer {
  sync: (ack: (answer: { ok: true }) => void) => void;
}
interface PartnerSocketData {
  token: string;
  info: AccessTokenInfo;
}
type PartnerNamespace = Namespace<PartnerClientToServer, PartnerServerToClient, Record<string, never>, PartnerSocketData>;
type PartnerSocket = Socket<PartnerClientToServer, PartnerServerToClient, Record<string, never>, PartnerSocketData>;

export const PARTNER_NAMESPACE = '/partners';
const room = { owner: (id: string) => `owner:${id}`, client: (id: string) => `client:${id}`, grant: (id: string) => `grant:${id}` };

export interface PartnerSocketDeps {
  events: EventBus;
  store: Store;
  tokens: TokenService;
  audit: AccessRecorder;
  logger: Logger;
  /** ms since epoch. */
  now: () => number;
  /** Injected faults: refused handshakes, dropped sockets, delivery latency (faults/). */
  faults: FaultInjector;
}

/**
 * Real time for partners: namespace `/partners`, authenticated at the handshake with
 * `auth: { token }` (an OAuth access token) or, for a DPoP-bound token, `auth: { token, dpop }` with
 * a DPoP proof of `GET ${PLATFORM_URL}/partners` (RFC 9449 §4.3, `ath` of the token; README "Partner
 * socket"); refused with a `connect_error` named "invalid_token" or "invalid_dpop_proof" otherwise. A socket receives `message:created` and
 * `message:deleted` only for threads of its resource owner that its client may read under the
 * current policy, and only with `messages:read`. Before each delivery the token is verified again
 * (a revoked or expired token's socket is disconnected instead; withdrawn scopes apply at once) and
 * the delivery is written to the access log. Revoking the grant or shutting the client down disconnects its sockets at once, and
 * a socket is disconnected when its token expires (also when an admin expires or revokes it, or
 * advances a controllable clock past it). Injected faults (README "Time, faults and expiry for
 * testers") drop sockets, refuse handshakes, or delay deliveries. Bearer-authenticated: no cookie is
 * read, so any origin may connect. Partners send only `sync`; any other event is answered
 * `unknown_event` (catch-all.ts).
 * @returns the function that unsubscribes from the event bus.
 */
export function attachPartnerSocket(io: Server, deps: PartnerSocketDeps): () => void {
  const { events, store, tokens, audit, logger, now, faults } = deps;
  const nsp = io.of(PARTNER_NAMESPACE) as unknown as PartnerNamespace;
  const queues = new Map<string, Promise<void>>();

  nsp.use(async (socket, next) => {
    const { token, dpop } = socket.handshake.auth as { token?: unknown; dpop?: unknown };
    try {
      if (typeof token !== 'string' || token === '') throw new InvalidTokenError('A valid access token is required: auth: { token } (README "Partner socket")');
      // README "Partner socket": a DPoP-bound token comes with a proof for GET ${PLATFORM_URL}/partners.
      const scheme = dpop === undefined ? 'Bearer' : 'DPoP';
      const info = await tokens.authenticate({ scheme, token, proof: dpop, method: 'GET', path: PARTNER_NAMESPACE });
      const fault = faults.take('socket', { clientId: info.clientId, tokenKey: tokenKeyOf(token), ownerId: info.personId, operation: 'socket handshake' }, { handshake: true });
      if (fault?.kind === 'drop-sockets') {
        next(Object.assign(new Error('injected_fault'), { data: { detail: 'Injected fault: sockets of this client are refused for now' } }));
        return;
      }
      if (fault) await faults.delay(fault);
      socket.data = { token, info };
      next();
    } catch (err) {
      const known = err instanceof AppError && err.status === 401;
      const code = known ? err.code : 'invalid_token';
      next(Object.assign(new Error(code), { data: { detail: known ? err.detail : 'A valid access token is required: auth: { token }' } }));
    }
  });

  nsp.on('connection', (socket) => {
    const { info } = socket.data;
    answerUnknownEvents(socket as unknown as Socket, ['sync'], logger);
    socket.on('sync', (ack: unknown) => {
      if (typeof ack !== 'function') return refuse(logger, socket as unknown as Socket, 'sync', ack, 'an acknowledgement callback is required');
      enqueue(socket, async () => (ack as (a: { ok: true }) => void)({ ok: true }));
    });
    void socket.join([room.owner(info.personId), room.client(info.clientId), room.grant(info.grantId)]);
    // The socket lives no longer than its token (setTimeout holds at most ~24.8 days).
    const expiry = setTimeout(() => socket.disconnect(true), Math.min(Math.max(0, info.expiresAt - now()), 2 ** 31 - 1));
    expiry.unref();
    socket.on('disconnect', () => {
      clearTimeout(expiry);
      queues.delete(socket.id);
    });
  });

  /** Runs deliveries to one socket one after the other, so they arrive in event order. */
  function enqueue(socket: PartnerSocket, task: () => Promise<void>): void {
    const next = (queues.get(socket.id) ?? Promise.resolve()).then(task).catch((err: unknown) => {
      logger.error({ err, socketId: socket.id }, 'partner delivery failed');
    });
    queues.set(socket.id, next);
  }

  function deliver(socket: PartnerSocket, kind: 'created' | 'deleted', message: Message): void {
    const { token, info } = socket.data;
    if (!info.scopes.includes('messages:read')) return;
    // Decided when the event happens; the message being delivered counts as one the client posted.
    const ownPost = message.via === info.clientId && message.senderId === info.personId;
    if (!(ownPost || mayReadMessage(store, info, message))) return;
    enqueue(socket, async () => {
      const fresh = await tokens.verify(token).catch(() => undefined);
      if (!fresh || fresh.expiresAt <= now()) {
        socket.disconnect(true);
        return;
      }
      // Scopes may have been withdrawn since the handshake (TokenService.narrowGrant).
      socket.data.info = fresh;
      if (!socket.connected || !fresh.scopes.includes('messages:read')) return;
      const fault = faults.take('socket', { clientId: info.clientId, tokenKey: tokenKeyOf(token), ownerId: info.personId, operation: `socket message:${kind}` }, { logged: true });
      if (fault) await faults.delay(fault);
      await audit.record({
        clientId: info.clientId, ownerId: info.personId, action: 'read', scope: 'messages:read',
        operation: `socket message:${kind}`, channel: 'socket', threadIds: [message.threadId], messageIds: [message.id],
        peopleIncluded: kind === 'created' ? [message.senderId] : [],
        ...(fault ? { injected: fault.label } : {}),
      });
      if (kind === 'created') socket.emit('message:created', { message: messageOut(store, message) });
      else socket.emit('message:deleted', { messageId: message.id, threadId: message.threadId });
    });
  }

  function socketsOfOwners(personIds: readonly string[]): PartnerSocket[] {
    const ids = new Set(personIds.flatMap((pid) => [...(nsp.adapter.rooms.get(room.owner(pid)) ?? [])]));
    return [...ids].map((id) => nsp.sockets.get(id)).filter((s): s is PartnerSocket => s !== undefined);
  }

  const offs = [
    events.on('message.created', ({ message, participantIds }) => {
      for (const socket of socketsOfOwners(participantIds)) deliver(socket, 'created', message);
    }),
    events.on('message.deleted', ({ message, participantIds }) => {
      for (const socket of socketsOfOwners(participantIds)) deliver(socket, 'deleted', message);
    }),
    events.on('grant.revoked', ({ grantId }) => nsp.in(room.grant(grantId)).disconnectSockets(true)),
    events.on('client.status', ({ clientId, status }) => {
      if (status === 'shut_down') nsp.in(room.client(clientId)).disconnectSockets(true);
    }),
    events.on('world.reset', () => nsp.disconnectSockets(true)),
    events.on('tokens.ended', ({ accessTokens }) => {
      const ended = new Set(accessTokens);
      for (const socket of nsp.sockets.values()) if (ended.has(socket.data.token)) socket.disconnect(true);
    }),
    events.on('clock.advanced', ({ now: at }) => {
      for (const socket of nsp.sockets.values()) if (socket.data.info.expiresAt <= at) socket.disconnect(true);
    }),
    events.on('faults.drop-sockets', ({ faultId, clientId, tokenKey }) => {
      for (const socket of nsp.sockets.values()) {
        const { info, token } = socket.data;
        if (tokenKey ? tokenKeyOf(token) !== tokenKey : info.clientId !== clientId) continue;
        events.emit('fault.injected', { at: now(), clientId: info.clientId, ownerId: info.personId, channel: 'socket', label: 'drop-sockets', faultId, operation: 'socket disconnect', logged: false });
        socket.disconnect(true);
      }
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
