import type { Response } from 'express';
import { connectPartnerSocket, type DPoPKey, type Message, type PartnerSocket } from '../sdk/index.js';
import type { Accounts } from './accounts.js';
import type { Kept } from './kept.js';
import { classify, type FailureKind } from './failures.js';
import { REVOKED_LOCATION } from './failure-pages.js';

/** A message as the browser's live feed shows it. */
export interface FeedItem {
  id: string;
  threadId: string;
  senderId: string;
  senderName: string;
  text: string;
  nowPlaying?: Message['nowPlaying'];
  /** ms since epoch. */
  createdAt: number;
  /** Sent by the logged-in person (e.g. our own "now playing"). */
  mine: boolean;
}

interface Feed {
  socket: PartnerSocket;
  browsers: Set<Response>;
  /** A refresh was tried since the last successful connection (refresh once, then give up). */
  refreshed: boolean;
  retryTimer?: NodeJS.Timeout;
}

/** Delay before trying again when the platform is unreachable (ms). */
const RETRY_MS = 2000;
/** SSE comment sent this often so proxies keep the stream open (ms). */
const KEEPALIVE_MS = 25_000;

function sse(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * The live feed: the partner server holds ONE `/partners` socket per person (with their token, as
 * the real integrations did server side) and relays its events to that person's open pages over
 * server-sent events (`message`, `deleted`, `status {live}`, `ended {reason, redirect}`); after a
 * reconnection the messages missed meanwhile follow, each once (SDK `catchUp`).
 * A refused handshake or a server-side disconnect triggers one token refresh; if that is refused the
 * account is forgotten and the pages are sent to `redirect`.
 */
export function createRelay(deps: {
  platformUrl: string;
  accounts: Accounts;
  kept: Kept;
  log: (err: unknown) => void;
  dpop?: DPoPKey | undefined;
}) {
  const { accounts, kept } = deps;
  const feeds = new Map<string, Feed>();
  /** The open streams of each partner web session (a change of person ends them). */
  const sessionStreams = new Map<string, Set<Response>>();

  function broadcast(feed: Feed, event: string, data: unknown): void {
    for (const res of feed.browsers) sse(res, event, data);
  }

  function stop(personId: string): Feed | undefined {
    const feed = feeds.get(personId);
    if (!feed) return undefined;
    feeds.delete(personId);
    clearTimeout(feed.retryTimer);
    feed.socket.removeAllListeners();
    feed.socket.disconnect();
    return feed;
  }

  /**
   * The person's access ended (`revoked`, `shut_down`, or a refresh refused for another reason):
   * tell their pages where to go, forget the account.
   */
  function end(personId: string, reason: FailureKind): void {
    accounts.remove(personId);
    endStreams(personId, reason);
  }

  /** Stops the person's feed; each of their pages hears `ended` `{ reason, redirect }` (where to go now). */
  function endStreams(personId: string, reason: FailureKind | 'logged_out'): void {
    const redirect = reason === 'shut_down' ? '/?notice=shut_down' : reason === 'revoked' ? REVOKED_LOCATION : '/';
    for (const res of stop(personId)?.browsers ?? []) {
      sse(res, 'ended', { reason, redirect });
      res.end();
    }
  }

  async function recover(personId: string, feed: Feed): Promise<void> {
    if (feed.refreshed) return end(personId, 'revoked');
    feed.refreshed = true;
    try {
      await accounts.client(personId).refresh();
      if (feeds.get(personId) === feed) feed.socket.connect();
    } catch (err) {
      const kind = classify(err);
      if (kind === 'unreachable' || kind === 'platform_error') {
        feed.refreshed = false;
        feed.retryTimer = setTimeout(() => void recover(personId, feed), RETRY_MS).unref();
      } else {
        if (kind !== 'revoked') deps.log(err);
        end(personId, kind);
      }
    }
  }

  function toItem(personId: string, m: Message): FeedItem {
    return {
      id: m.id,
      threadId: m.threadId,
      senderId: m.sender.id,
      senderName: m.sender.displayName,
      text: m.text,
      ...(m.nowPlaying ? { nowPlaying: m.nowPlaying } : {}),
      createdAt: m.createdAt,
      mine: m.sender.id === personId,
    };
  }

  function open(personId: string): Feed {
    // Messages missed while the socket was away are read back through the API (SDK catch-up), once each.
    const socket = connectPartnerSocket({
      baseUrl: deps.platformUrl,
      token: () => accounts.get(personId)?.tokens.accessToken ?? '',
      dpop: deps.dpop,
      catchUp: {
        client: {
          threads: (page) => accounts.client(personId).threads(page),
          messages: (id, page) => accounts.client(personId).messages(id, page),
        },
        onMessage: (message) => {
          kept.record(personId, [message]);
          broadcast(feed, 'message', toItem(personId, message));
        },
        onError: deps.log,
      },
    });
    const feed: Feed = { socket, browsers: new Set(), refreshed: false };
    socket.on('connect', () => {
      feed.refreshed = false;
      broadcast(feed, 'status', { live: true });
    });
    socket.on('connect_error', () => {
      broadcast(feed, 'status', { live: false });
      // `active` stays true for transport errors (socket.io retries); false when the server refused us.
      if (!socket.active) void recover(personId, feed);
    });
    socket.on('disconnect', (reason) => {
      broadcast(feed, 'status', { live: false });
      if (reason === 'io server disconnect') void recover(personId, feed);
    });
    socket.on('message:deleted', (payload) => broadcast(feed, 'deleted', payload));
    feeds.set(personId, feed);
    return feed;
  }

  return {
    /**
     * Streams the person's feed to `res` (an SSE response) until the browser goes away, or until
     * `closeSession(sessionId)` (the partner web session it was opened in ended: another person
     * logged in over it, or the session store forgot it once expired or when full).
     */
    subscribe(personId: string, res: Response, sessionId?: string): void {
      res
        .status(200)
        .set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.flushHeaders();
      const feed = feeds.get(personId) ?? open(personId);
      feed.browsers.add(res);
      sse(res, 'status', { live: feed.socket.connected });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
      if (sessionId) {
        const streams = sessionStreams.get(sessionId) ?? new Set<Response>();
        sessionStreams.set(sessionId, streams.add(res));
      }
      res.on('close', () => {
        clearInterval(keepalive);
        const streams = sessionId ? sessionStreams.get(sessionId) : undefined;
        streams?.delete(res);
        if (sessionId && streams?.size === 0) sessionStreams.delete(sessionId);
        feed.browsers.delete(res);
        if (feed.browsers.size === 0 && feeds.get(personId) === feed) stop(personId);
      });
    },
    /**
     * Ends the streams opened in web session `sessionId`: each hears `ended` `{ reason, redirect: '/' }`
     * — `session_changed` when another person logged in over it (the tab then shows who is logged in
     * now), `session_expired` when the session store forgot it (expired, or dropped when full).
     */
    closeSession(sessionId: string, reason: 'session_changed' | 'session_expired' = 'session_changed'): void {
      for (const res of sessionStreams.get(sessionId) ?? []) {
        sse(res, 'ended', { reason, redirect: '/' });
        res.end();
      }
      sessionStreams.delete(sessionId);
    },
    /**
     * Closes the person's socket and pages' streams, each told `ended` `{ reason, redirect }`: their
     * other tabs leave for the landing page (with the revoked or shut-down notice), not a dropped stream.
     */
    close(personId: string, reason: FailureKind | 'logged_out' = 'logged_out'): void {
      endStreams(personId, reason);
    },
    /** Whether the person's socket is connected (tests, health). */
    isLive(personId: string): boolean {
      return feeds.get(personId)?.socket.connected ?? false;
    },
    /** Closes every socket and stream (app shutdown). */
    closeAll(): void {
      // Not `ended`: the pages keep trying to reconnect (the app may come back), they are not logged out.
      for (const personId of [...feeds.keys()]) for (const res of stop(personId)?.browsers ?? []) res.end();
    },
  };
}

export type Relay = ReturnType<typeof createRelay>;
