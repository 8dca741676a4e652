import type { Server, Socket } from 'socket.io';
import type { Config } from '../config.js';
import { isAdminToken } from '../http/admin-token.js';
import type { Store } from '../store/store.js';
import type { MonitorEvent } from './monitor-event.js';
import type { MonitorFeed } from './monitor-feed.js';

/** Events the `/monitor` namespace sends. */
export interface MonitorServerToClient {
  /** Everything kept so far, sent once on connect. */
  history: (events: MonitorEvent[]) => void;
  /** One new event of the data flow (OAuth step, API access, socket delivery, admin action). */
  access: (event: MonitorEvent) => void;
}

/** A monitor viewer: the admin token at the handshake, or an admin person's / unlocked web session. */
export function mayWatch(socket: Socket, config: Config, store: Store): boolean {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (isAdminToken(auth?.token, config.ADMIN_TOKEN)) return true;
  const req = socket.request as import('express').Request;
  if (req.session?.monitorUnlocked) return true;
  const user = req.user;
  return Boolean(user && store.get('people', user.id)?.isAdmin);
}

/**
 * The `/monitor` namespace: authenticates in `use()` (refuses with "admin token required"), sends
 * the history on connect, then every new monitor event as `access`.
 */
export function attachMonitorSocket(io: Server, deps: { config: Config; store: Store; feed: MonitorFeed }): () => void {
  const nsp = io.of('/monitor') as unknown as import('socket.io').Namespace<Record<string, never>, MonitorServerToClient>;
  nsp.use((socket, next) => (mayWatch(socket as unknown as Socket, deps.config, deps.store) ? next() : next(new Error('admin token required'))));
  nsp.on('connection', (socket) => socket.emit('history', deps.feed.events()));
  // Encoding a broadcast costs even with nobody watching: skip it then (every API call makes one).
  return deps.feed.subscribe((event) => {
    if (nsp.sockets.size > 0) nsp.emit('access', event);
  });
}
