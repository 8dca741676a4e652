import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import type { AccessRecorder } from '../audit/access-recorder.js';
import { socketDeliveryOperation } from '../audit/access-totals.js';
import { AppError, InvalidTokenError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import type { Fault } from '../faults/fault-schema.js';
import { mayReadMessage } from '../messaging/policy.js';
import type { PartnerServerToClientEvents } from '../../../partners/sdk/types.js';
import { messageOut } from '../messaging/views.js';
import type { AccessTokenInfo, TokenService } from '../oauth/token-service.js';
import { oidcRowId } from '../oauth/store-adapter.js';
import type { Message } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { answerUnknownEvents, onKnownEvent } from './catch-all.js';

/** The id prefix of an access token's row in the `oidc` collection. */
const ACCESS_TOKEN_ROW = oidcRowId('AccessToken', '');

/**
 * Events a partner receives on `/partners`, within its token's scope and the policy: the wire
 * contract's map (`partners/sdk/types.ts`), so what is emitted here is what the SDK listens for.
 */
export type PartnerServerToClient = PartnerServerToClientEvents;
/**
 * Partners mostly listen. `sync` (with an ack) is answered `{ ok: true, at }` after every delivery to this
 * socket decided before it: "I have everything up to now" (a marker, e.g. for tests that something
 * was *not* delivered); `at` is the platform's time (ms), the SDK's catch-up mark before any message.
 */
export interface PartnerClientToServer {
  sync: (ack: (answer: { ok: true; at: number }) => void) => void;
}
interface PartnerSocketData {
  token: string;
  /** SHA-256 of the token (`tokenKeyOf`), computed once at the handshake: faults match on it per delivery. */
  tokenKey: string;
  info: AccessTokenInfo;
  /** Counted in `joining` until the socket is in its token's room (see the handshake's cap). */
  reserved: boolean;
}
type PartnerNamespace = Namespace<
  PartnerClientToServer,
  PartnerServerToClient,
  Record<string, never>,
  PartnerSocketData
>;
type PartnerSocket = Socket<PartnerClientToServer, PartnerServerToClient, Record<string, never>, PartnerSocketData>;

export const PARTNER_NAMESPACE = '/partners';
const room = {
  owner: (id: string) => `owner:${id}`,
  client: (id: string) => `client:${id}`,
  grant: (id: string) => `grant:${id}`,
  token: (tokenKey: string) => `token:${tokenKey}`,
};

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
  /** Sockets open at once per access token (`PARTNER_SOCKETS_PER_TOKEN`); a handshake beyond is refused. */
  maxSocketsPerToken: number;
}

/**
 * Real time for partners: namespace `/partners`, authenticated at the handshake with
 * `auth: { token }` (an OAuth access token) or, for a DPoP-bound token, `auth: { token, dpop }` with
 * a DPoP proof of `GET ${PLATFORM_URL}/partners` (RFC 9449 §4.3, `ath` of the token; README "Messaging API
 * for partners", Real time); refused with a `connect_error` named "invalid_token" or "invalid_dpop_proof" otherwise. A socket receives `message:created` and
 * `message:deleted` only for threads of its resource owner that its client may read under the
 * current policy, and only with `messages:read`. Bearer-authenticated: no cookie is read, so any
 * origin may connect. Partners send only `sync`; any other event is answered `unknown_event` (catch-all.ts).
 * At most `maxSocketsPerToken` sockets per access token are open at once (`connect_error`
 * "too_many_sockets" beyond). A socket is disconnected when its token expires (also when an admin expires or revokes it, or
 * advances a controllable clock past it). Injected faults (README "Time, faults and expiry for
 * testers") drop sockets, refuse handshakes, or delay deliveries.
 *
 * Deliveries (README "Real time"): each event is decided for every socket at once from an in-memory
 * view — the token's facts from the handshake, kept current by `grant.narrowed` (scopes withdrawn),
 * `grant.revoked`, `client.status` and `world.reset` (disconnect), a timer at expiry, and
 * `TokenService.isLive` (a revoked token's socket is disconnected instead) — with no adapter lookup;
 * the payload goes out once to all the sockets it is for, then the deliveries are logged in one batch
 * (one entry per client and resource owner, with the number of sockets), in event order.
 * @returns the function that unsubscribes from the event bus.
 */
export function attachPartnerSocket(io: Server, deps: PartnerSocketDeps): () => void {
  const { events, store, tokens, audit, logger, now, faults, maxSocketsPerToken } = deps;
  /** Handshakes accepted but not yet in their token's room (counted against the cap meanwhile). */
  const joining = new Map<string, number>();
  /** Ends the reservation of a handshake (once): at its connection, when it is in the room, or if it never connects. */
  const settle = (socket: PartnerSocket) => {
    if (!socket.data.reserved) return;
    socket.data.reserved = false;
    const n = (joining.get(socket.data.tokenKey) ?? 1) - 1;
    if (n > 0) joining.set(socket.data.tokenKey, n);
    else joining.delete(socket.data.tokenKey);
  };
  const nsp = io.of(PARTNER_NAMESPACE) as unknown as PartnerNamespace;
  // Partner sockets catch up with `since_id` (README "Catch-up after a reconnect"), not with socket.io's
  // connection state recovery (the inbox's), whose adapter keeps a copy of every broadcast for two
  // minutes: this namespace gets the plain in-memory adapter (nothing kept once sent).
  if (nsp.adapter.constructor !== Adapter)
    (nsp as unknown as { adapter: Adapter }).adapter = new Adapter(nsp as unknown as Namespace);

  nsp.use(async (socket, next) => {
    const { token, dpop } = socket.handshake.auth as { token?: unknown; dpop?: unknown };
    try {
      if (typeof token !== 'string' || token === '')
        throw new InvalidTokenError(
          'A valid access token is required: auth: { token } (README "Messaging API for partners", Real time)',
        );
      // README "Messaging API for partners" (Real time): a DPoP-bound token comes with a proof for GET ${PLATFORM_URL}/partners.
      const scheme = dpop === undefined ? 'Bearer' : 'DPoP';
      const info = await tokens.authenticate({ scheme, token, proof: dpop, method: 'GET', path: PARTNER_NAMESPACE });
      const { tokenKey } = info;
      const fault = faults.take(
        'socket',
        { clientId: info.clientId, tokenKey, ownerId: info.personId, operation: 'socket handshake' },
        { handshake: true },
      );
      if (fault?.kind === 'drop-sockets') {
        next(
          Object.assign(new Error('injected_fault'), {
            data: { detail: 'Injected fault: sockets of this client are refused for now' },
          }),
        );
        return;
      }
      if (fault) await faults.delay(fault);
      // No await from the count to the reservation: concurrent handshakes cannot all slip under the cap.
      const open = (nsp.adapter.rooms.get(room.token(tokenKey))?.size ?? 0) + (joining.get(tokenKey) ?? 0);
      if (open >= maxSocketsPerToken) {
        next(
          Object.assign(new Error('too_many_sockets'), {
            data: { detail: `At most ${maxSocketsPerToken} sockets per access token (PARTNER_SOCKETS_PER_TOKEN)` },
          }),
        );
        return;
      }
      joining.set(tokenKey, (joining.get(tokenKey) ?? 0) + 1);
      socket.data = { token, tokenKey, info, reserved: true };
      next();
      // Connected sockets settle as they join the room; one that went away before is settled here.
      setTimeout(() => settle(socket), 5_000).unref();
    } catch (err) {
      const known = err instanceof AppError && err.status === 401;
      const code = known ? err.code : 'invalid_token';
      next(
        Object.assign(new Error(code), {
          data: { detail: known ? err.detail : 'A valid access token is required: auth: { token }' },
        }),
      );
    }
  });

  nsp.on('connection', (socket) => {
    const { info } = socket.data;
    answerUnknownEvents(socket as unknown as Socket, ['sync'], logger);
    onKnownEvent(socket as unknown as Socket, 'sync', 0, logger, (_payload, ack) => {
      // Deliveries go out in the tick of their event: every earlier one is already on the wire.
      ack({ ok: true, at: now() });
    });
    void socket.join([
      room.owner(info.personId),
      room.client(info.clientId),
      room.grant(info.grantId),
      room.token(socket.data.tokenKey),
    ]);
    settle(socket); // now counted by the room
    // The socket lives no longer than its token (setTimeout holds at most ~24.8 days).
    const expiry = setTimeout(
      () => socket.disconnect(true),
      Math.min(Math.max(0, info.expiresAt - now()), 2 ** 31 - 1),
    );
    expiry.unref();
    socket.on('disconnect', () => clearTimeout(expiry));
  });

  /** Is `socket` still allowed to receive `message` now? Disconnects it when its token is no longer live. */
  function mayReceive(socket: PartnerSocket, message: Message, at: number): boolean {
    const { token, info } = socket.data;
    if (!socket.connected) return false;
    if (info.expiresAt <= at || !tokens.isLive(token)) {
      socket.disconnect(true);
      return false;
    }
    if (!info.scopes.includes('messages:read')) return false;
    // The message being delivered counts as one the client posted (least-privilege reach).
    const ownPost = message.via === info.clientId && message.senderId === info.personId;
    return ownPost || mayReadMessage(store, info, message);
  }

  /** Emits one event to the sockets `to` (one encoding for all of them). */
  function emitTo(to: string | string[], kind: 'created' | 'deleted', message: Message): void {
    if (kind === 'created') nsp.to(to).emit('message:created', { message: messageOut(store, message) });
    else nsp.to(to).emit('message:deleted', { messageId: message.id, threadId: message.threadId });
  }

  const deliveryEntry = (kind: 'created' | 'deleted', message: Message, clientId: string, ownerId: string) => ({
    clientId,
    ownerId,
    action: 'read' as const,
    scope: 'messages:read',
    operation: socketDeliveryOperation(kind),
    channel: 'socket' as const,
    threadIds: [message.threadId],
    messageIds: [message.id],
    peopleIncluded: kind === 'created' ? [message.senderId] : [],
  });

  /** A delivery a tester delayed (latency fault): sent after the delay if the socket is still there, logged as injected. */
  async function deliverLate(
    socket: PartnerSocket,
    kind: 'created' | 'deleted',
    message: Message,
    fault: Fault,
  ): Promise<void> {
    await faults.delay(fault);
    if (!mayReceive(socket, message, now())) return;
    // Deleted during the delay: its content is not sent (the socket hears of the deletion instead).
    if (kind === 'created' && store.get('messages', message.id) === undefined) return;
    emitTo(socket.id, kind, message);
    const { clientId, personId } = socket.data.info;
    audit.logMany([{ ...deliveryEntry(kind, message, clientId, personId), injected: fault.label }]);
  }

  function deliver(kind: 'created' | 'deleted', message: Message, participantIds: readonly string[]): void {
    const at = now();
    const to: string[] = [];
    const reached = new Map<string, { clientId: string; ownerId: string; sockets: number }>();
    for (const socket of socketsOfOwners(participantIds)) {
      if (!mayReceive(socket, message, at)) continue;
      const { clientId, personId } = socket.data.info;
      const fault = faults.take(
        'socket',
        { clientId, tokenKey: socket.data.tokenKey, ownerId: personId, operation: socketDeliveryOperation(kind) },
        { logged: true },
      );
      if (fault) {
        deliverLate(socket, kind, message, fault).catch((err: unknown) =>
          logger.error({ err, socketId: socket.id }, 'delayed partner delivery failed'),
        );
        continue;
      }
      to.push(socket.id);
      const key = `${clientId} ${personId}`;
      const seen = reached.get(key);
      if (seen) seen.sockets += 1;
      else reached.set(key, { clientId, ownerId: personId, sockets: 1 });
    }
    if (to.length === 0) return;
    // Sent before the log is written (same tick: nothing in between).
    emitTo(to, kind, message);
    audit.logMany(
      [...reached.values()].map(({ clientId, ownerId, sockets }) => ({
        ...deliveryEntry(kind, message, clientId, ownerId),
        ...(sockets > 1 ? { sockets } : {}),
      })),
    );
  }

  function socketsOfOwners(personIds: readonly string[]): PartnerSocket[] {
    const ids = new Set(personIds.flatMap((pid) => [...(nsp.adapter.rooms.get(room.owner(pid)) ?? [])]));
    return [...ids].map((id) => nsp.sockets.get(id)).filter((s): s is PartnerSocket => s !== undefined);
  }

  /** Disconnects the sockets holding one of `ended` (access token values). */
  function closeHoldersOf(ended: ReadonlySet<string>): void {
    for (const socket of nsp.sockets.values()) if (ended.has(socket.data.token)) socket.disconnect(true);
  }

  const offs = [
    events.on('message.created', ({ message, participantIds }) => deliver('created', message, participantIds)),
    events.on('message.deleted', ({ message, participantIds }) => deliver('deleted', message, participantIds)),
    events.on('grant.narrowed', ({ grantId, scopes }) => {
      for (const id of nsp.adapter.rooms.get(room.grant(grantId)) ?? []) {
        const data = nsp.sockets.get(id)?.data;
        if (data) data.info = { ...data.info, scopes: data.info.scopes.filter((s) => scopes.includes(s)) };
      }
    }),
    events.on('grant.revoked', ({ grantId }) => nsp.in(room.grant(grantId)).disconnectSockets(true)),
    events.on('client.status', ({ clientId, status }) => {
      if (status === 'shut_down') nsp.in(room.client(clientId)).disconnectSockets(true);
    }),
    events.on('world.reset', () => nsp.disconnectSockets(true)),
    // Whatever removes an access token's row (RFC 7009 revocation of that token alone, a grant's
    // cascade, housekeeping) closes the sockets holding it once the store applies it.
    store.onApplied((changes) => {
      const gone = new Set<string>();
      for (const { op } of changes)
        if (op.c === 'oidc' && op.op === 'del' && op.id.startsWith(ACCESS_TOKEN_ROW))
          gone.add(op.id.slice(ACCESS_TOKEN_ROW.length));
      if (gone.size > 0) setImmediate(() => closeHoldersOf(gone));
    }),
    events.on('tokens.ended', ({ accessTokens }) => closeHoldersOf(new Set(accessTokens))),
    events.on('clock.advanced', ({ now: at }) => {
      for (const socket of nsp.sockets.values()) if (socket.data.info.expiresAt <= at) socket.disconnect(true);
    }),
    events.on('faults.drop-sockets', ({ faultId, clientId, tokenKey }) => {
      for (const socket of nsp.sockets.values()) {
        const { info } = socket.data;
        if (tokenKey ? socket.data.tokenKey !== tokenKey : info.clientId !== clientId) continue;
        events.emit('fault.injected', {
          at: now(),
          clientId: info.clientId,
          ownerId: info.personId,
          channel: 'socket',
          label: 'drop-sockets',
          faultId,
          operation: 'socket disconnect',
          logged: false,
        });
        socket.disconnect(true);
      }
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
