import { io, type Socket } from 'socket.io-client';
import { followMessages, type CatchUpOptions, type MessageMark } from './catch-up.js';
import type { DPoPKey } from './dpop.js';
import type { PartnerServerToClientEvents } from './types.js';

/** A connection to the platform's `/partners` namespace, with typed events. */
export type PartnerSocket = Socket<PartnerServerToClientEvents, PartnerClientToServerEvents>;

/**
 * What a partner may send: `sync` with an ack, answered `{ ok: true, at }` (`at`: the platform's time,
 * ms) after every delivery decided before it (e.g. `await socket.timeout(2000).emitWithAck('sync')`); any other event is answered
 * `{ error: 'unknown_event' }`.
 */
export interface PartnerClientToServerEvents {
  sync: (ack: (answer: { ok: true; at?: number }) => void) => void;
}

export interface PartnerSocketOptions {
  /** Platform root, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** The access token, or a function read at every (re)connection (so refreshed tokens are used). */
  token: string | (() => string);
  /** socket.io reconnection (default true). Turn off to handle `connect_error` yourself. */
  reconnection?: boolean;
  /**
   * Catch up after a reconnect (README "Catch-up after a reconnect"): the platform does not replay
   * what a partner socket missed while it was away, so the helper reads it back through the API and
   * hands every message to `catchUp.onMessage` exactly once (listen there, not to `message:created`).
   */
  catchUp?: CatchUpOptions;
  /** For a DPoP-bound token: each handshake carries a fresh proof of `GET {baseUrl}/partners` (RFC 9449 §4.2). */
  dpop?: DPoPKey | undefined;
}

/** The socket, and with `catchUp` the newest message delivered so far (to persist as `lastSeen`). */
export type FollowingSocket = PartnerSocket & { lastSeen?: () => MessageMark | undefined };

/**
 * Opens the `/partners` namespace with handshake `auth: { token }`, or `auth: { token, dpop }` with
 * a `dpop` key (websocket transport). Listen for
 * `message:created` `{ message }` and `message:deleted` `{ messageId, threadId }`; a refused handshake
 * (bad or revoked token, client shut down) arrives as `connect_error` with the server's message.
 * Call `socket.disconnect()` to close it. With `catchUp`, messages missed during a network drop or
 * a platform restart are read back and delivered once each.
 */
export function connectPartnerSocket(options: PartnerSocketOptions): FollowingSocket {
  const socket: FollowingSocket = connect(options);
  if (options.catchUp) {
    const platformNow = () =>
      socket
        .timeout(5000)
        .emitWithAck('sync')
        .then((answer) => answer.at);
    socket.lastSeen = followMessages(socket, options.catchUp, platformNow).lastSeen;
  }
  return socket;
}

function connect(options: PartnerSocketOptions): PartnerSocket {
  const { token, dpop } = options;
  const url = new URL('/partners', options.baseUrl).href;
  return io(url, {
    transports: ['websocket'],
    reconnection: options.reconnection ?? true,
    auth: (cb) => {
      const current = typeof token === 'function' ? token() : token;
      if (!dpop) return cb({ token: current });
      // Without a proof the platform refuses the bound token, and the socket reports it.
      dpop.proof('GET', url, current).then(
        (proof) => cb({ token: current, dpop: proof }),
        () => cb({ token: current }),
      );
    },
  });
}

/**
 * Resolves once `socket` is connected; rejects with the `connect_error` (its `message` is the
 * server's reason) or after `timeoutMs` (ms).
 */
export function whenConnected(socket: PartnerSocket, timeoutMs = 5000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('socket connection timed out')), timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = () => done();
    const onError = (err: Error) => done(err);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}
