import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import type { Config } from '../config.js';
import type { EventBus } from '../events.js';
import { isAdminToken } from '../http/admin-token.js';
import type { OriginPolicy } from '../http/origin-policy.js';
import { answerUnknownEvents } from '../realtime/catch-all.js';
import { bindSocketsToSessions, currentSession, type SessionEndedEvents } from '../realtime/session-sockets.js';
import type { Store } from '../store/store.js';
import type { MonitorEvent } from './monitor-event.js';
import type { MonitorFeed } from './monitor-feed.js';

/** Events the `/monitor` namespace sends. */
export interface MonitorServerToClient extends SessionEndedEvents {
  /** Everything kept so far, sent once on connect. */
  history: (events: MonitorEvent[]) => void;
  /** One new event of the data flow (OAuth step, API access, socket delivery, admin action). */
  access: (event: MonitorEvent) => void;
}

/**
 * How a monitor viewer authenticated: `token` (the admin token in `auth: { token }`, from anywhere)
 * or `session` (an admin person's or unlocked web session: cookie, so only from an allowed origin,
 * and only while the session store still holds it as it was: see `currentSession`); undefined when
 * neither.
 */
export async function watcherOf(
  socket: Socket,
  config: Config,
  store: Store,
  origins: OriginPolicy,
): Promise<'token' | 'session' | undefined> {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (isAdminToken(auth?.token, config.ADMIN_TOKEN)) return 'token';
  if (origins.checkHandshake(socket.request)) return undefined;
  const session = await currentSession(socket);
  if (session?.monitorUnlocked) return 'session';
  const userId = session?.passport?.user;
  return userId !== undefined && userId === socket.request.user?.id && store.get('people', userId)?.isAdmin
    ? 'session'
    : undefined;
}

/**
 * The `/monitor` namespace: authenticates in `use()` (refuses with "admin token required"; a cookie
 * session from a foreign origin counts as none), sends the history on connect, then every new monitor
 * event as `access`. Session-authenticated sockets close with their session (session-sockets.ts).
 * Clients send nothing: any event is answered `unknown_event`.
 */
export function attachMonitorSocket(
  io: Server,
  deps: { config: Config; store: Store; feed: MonitorFeed; events: EventBus; origins: OriginPolicy; logger: Logger },
): () => void {
  const nsp = io.of('/monitor') as unknown as Namespace<Record<string, never>, MonitorServerToClient>;
  nsp.use((socket, next) => {
    void watcherOf(socket as unknown as Socket, deps.config, deps.store, deps.origins).then((via) => {
      if (!via) return next(new Error('admin token required'));
      socket.data = { via };
      next();
    });
  });
  nsp.on('connection', (socket) => {
    answerUnknownEvents(socket as unknown as Socket, [], deps.logger);
    socket.emit('history', deps.feed.events());
  });
  const offSessions = bindSocketsToSessions(
    nsp as unknown as Namespace,
    deps.events,
    (s) => (s.data as { via?: string }).via === 'session',
  );
  // Building and encoding an event costs even with nobody watching: skip both then (every API call makes one).
  const offFeed = deps.feed.subscribe(
    (event) => nsp.emit('access', event),
    () => nsp.sockets.size > 0,
  );
  return () => {
    offSessions();
    offFeed();
  };
}
