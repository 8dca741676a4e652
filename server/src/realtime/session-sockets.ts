import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { Namespace, Socket } from 'socket.io';
import type { EventBus, SessionEndReason } from '../events.js';

/** What a cookie-authenticated socket hears before the server closes it (README "Socket security model"). */
export interface SessionEndedEvents {
  'session:ended': (payload: { reason: SessionEndReason }) => void;
}

/**
 * The web session the socket's connection carried, as the session store holds it now; undefined once
 * it ended (logout, a login that regenerated it, expiry). The connection's `request.session` and
 * `request.user` were read once, at its handshake (platform.ts `onlyForCookieHandshake`): a namespace joined
 * later on the same connection must ask again, or it would outlive the session (README "Socket
 * security model").
 */
export function currentSession(socket: Socket): Promise<(SessionData & { passport?: { user?: string } }) | undefined> {
  const req = socket.request as Request;
  if (!req.sessionID || !req.sessionStore) return Promise.resolve(undefined);
  return new Promise((resolve) =>
    req.sessionStore.get(req.sessionID, (err, data) => {
      const expires = data?.cookie?.expires ? new Date(data.cookie.expires).getTime() : Infinity;
      resolve(!err && data && expires > Date.now() ? data : undefined);
    }),
  );
}

const sessionRoom = (sessionId: string) => `session:${sessionId}`;
/** setTimeout holds at most ~24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ties the cookie-authenticated sockets of `nsp` to their web session, so a socket is never more
 * than its session: each joins its session's room; the `session.ended` domain event (logout, a login
 * that regenerates the session, expiry) sends them `session:ended` `{ reason }` and disconnects them
 * at once; and a socket whose session has expired in the session store is closed the same way.
 * `isCookieSocket` excludes sockets authenticated otherwise (e.g. the admin token on `/monitor`).
 * Connection-state recovery: a socket dropped while its session ends (logout, a login, expiry during
 * the drop) is not recovered: its kept state (rooms, missed broadcasts) is forgotten at once, so a
 * reconnection with another person's cookie never gets the old person's rooms or messages.
 * @returns the function that unsubscribes from the event bus.
 */
export function bindSocketsToSessions(
  nsp: Namespace,
  events: EventBus,
  isCookieSocket: (socket: Socket) => boolean = () => true,
): () => void {
  nsp.on('connection', (socket) => {
    const req = socket.request as Request;
    if (!req.sessionID || !isCookieSocket(socket)) return;
    const sessionId = req.sessionID;
    void socket.join(sessionRoom(sessionId));
    let timer: NodeJS.Timeout | undefined;
    const watch = (expires: Date | undefined | null) => {
      if (!expires) return;
      timer = setTimeout(check, Math.min(Math.max(0, expires.getTime() - Date.now()), MAX_TIMER_MS));
      timer.unref();
    };
    // The session may have been extended by other requests meanwhile: ask the store before closing.
    const check = () =>
      req.sessionStore.get(sessionId, (err, data) => {
        const expires = data?.cookie.expires ? new Date(data.cookie.expires) : undefined;
        if (!err && expires && expires.getTime() > Date.now()) return watch(expires);
        events.emit('session.ended', { sessionId, reason: 'expired' });
      });
    watch(req.session?.cookie.expires);
    socket.on('disconnect', () => {
      // While the socket may still be recovered, its session's expiry must still be noticed.
      const keep = recoveryWindowMs(nsp);
      if (keep === 0) clearTimeout(timer);
      else setTimeout(() => clearTimeout(timer), keep).unref();
    });
  });
  // Sessions whose sockets were told and close on the next turn: every socket of a session watches
  // its expiry, and each namespace may announce it, but a socket hears `session:ended` once.
  const closing = new Set<string>();
  return events.on('session.ended', ({ sessionId, reason }) => {
    if (closing.has(sessionId)) return;
    closing.add(sessionId);
    forgetRecoverableState(nsp, sessionRoom(sessionId));
    const sockets = nsp.to(sessionRoom(sessionId)) as unknown as {
      emit: (ev: 'session:ended', p: { reason: SessionEndReason }) => void;
    };
    sockets.emit('session:ended', { reason });
    // Close the whole connection (its handshake carries the old session), once every namespace has
    // told its sockets why: the packets already queued are flushed before the transport closes.
    setImmediate(() => {
      closing.delete(sessionId);
      nsp.in(sessionRoom(sessionId)).disconnectSockets(true);
    });
  });
}

/** socket.io's `connectionStateRecovery.maxDisconnectionDuration` (ms), 0 when recovery is off. */
function recoveryWindowMs(nsp: Namespace): number {
  const recovery = (
    nsp.server as unknown as { opts: { connectionStateRecovery?: { maxDisconnectionDuration?: number } } }
  ).opts.connectionStateRecovery;
  return recovery ? (recovery.maxDisconnectionDuration ?? 0) : 0;
}

/**
 * Drops the connection-state-recovery records (socket.io-adapter's SessionAwareAdapter `sessions`,
 * pid → `{ rooms }`) of the disconnected sockets that were in `room`, so they cannot be recovered.
 */
function forgetRecoverableState(nsp: Namespace, room: string): void {
  const kept = (nsp.adapter as unknown as { sessions?: Map<string, { rooms?: string[] }> }).sessions;
  if (!kept) return;
  for (const [pid, state] of kept) if (state.rooms?.includes(room)) kept.delete(pid);
}
