import session from 'express-session';
import { LRUCache } from 'lru-cache';

/** Why a session left the store without being destroyed: its time ran out, or room was needed. */
export type SessionDropReason = 'expired' | 'dropped';

export interface BoundedSessionStoreOptions {
  /** Most sessions kept; past it the least recently used one is dropped. */
  max: number;
  /** Lifetime (ms) of a session whose cookie gives none (express-session sets `cookie.expires` from `maxAge`). */
  maxAgeMs: number;
  /** Most bytes of session JSON kept (default 32 MiB); past it the least recently used are dropped. */
  maxBytes?: number;
  /** Told of each session that expired or was dropped (not of one destroyed: a logout says so itself). */
  onDropped?: (sessionId: string, reason: SessionDropReason) => void;
}

/** How often expired sessions are looked for at most (ms). */
const PURGE_EVERY_MS = 60_000;

/**
 * An express-session store in memory, with bounds (README "Retention"): a session is forgotten once
 * its cookie expired, whether or not it is asked for again (a purge every minute, or every
 * `maxAgeMs` when shorter: one timer, not one per session, so any lifetime works); at most `max`
 * sessions and `maxBytes` of them are kept, the least recently used dropped first (a read or a write
 * is a use). express-session's own MemoryStore only forgot an expired session when its cookie came
 * back, so every cookie-less visit that made a session stayed for the life of the process. Sessions
 * are kept as JSON (a copy per read, as express-session's stores do). Wall-clock time. Shared by the
 * platform and the partner apps; `close()` forgets everything and stops the timer.
 */
export class BoundedSessionStore extends session.Store {
  readonly #sessions: LRUCache<string, string>;
  readonly #maxAgeMs: number;
  readonly #purge: NodeJS.Timeout;

  constructor(options: BoundedSessionStoreOptions) {
    super();
    this.#maxAgeMs = options.maxAgeMs;
    const { onDropped } = options;
    this.#sessions = new LRUCache<string, string>({
      max: options.max,
      maxSize: options.maxBytes ?? 32 * 2 ** 20,
      sizeCalculation: (json, sessionId) => Buffer.byteLength(json) + Buffer.byteLength(sessionId),
      ttl: options.maxAgeMs,
      ...(onDropped && {
        // Told once the cache is done: a listener may use the store again (express-session touches a
        // session when its response ends), which lru-cache must not see from inside its own dispose.
        dispose: (_value, sessionId, reason) => {
          const why = reason === 'expire' ? 'expired' : reason === 'evict' ? 'dropped' : undefined;
          if (why) queueMicrotask(() => onDropped(sessionId, why));
        },
      }),
    });
    this.#purge = setInterval(() => this.#sessions.purgeStale(), Math.min(PURGE_EVERY_MS, options.maxAgeMs));
    this.#purge.unref();
  }

  /** Time left (ms) of `sess` by its cookie (`maxAgeMs` when it has no expiry), at least 1. */
  #ttl(sess: session.SessionData): number {
    const left = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() - Date.now() : this.#maxAgeMs;
    return Math.max(1, left);
  }

  override get(sessionId: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const text = this.#sessions.get(sessionId);
    callback(null, text === undefined ? null : (JSON.parse(text) as session.SessionData));
  }

  override set(sessionId: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    this.#sessions.set(sessionId, JSON.stringify(sess), { ttl: this.#ttl(sess) });
    callback?.();
  }

  /** A request that did not change the session moves its expiry (express-session calls it when the cookie is renewed). */
  override touch(sessionId: string, sess: session.SessionData, callback?: () => void): void {
    if (this.#sessions.has(sessionId)) this.#sessions.set(sessionId, JSON.stringify(sess), { ttl: this.#ttl(sess) });
    callback?.();
  }

  override destroy(sessionId: string, callback?: (err?: unknown) => void): void {
    this.#sessions.delete(sessionId);
    callback?.();
  }

  override length(callback: (err: unknown, length?: number) => void): void {
    callback(null, this.#sessions.size);
  }

  override clear(callback?: (err?: unknown) => void): void {
    this.#sessions.clear();
    callback?.();
  }

  /** Ids of the sessions kept, most recently used first; at most `max` + 1 are walked (diagnostics, tests). */
  ids(): string[] {
    const ids: string[] = [];
    for (const id of this.#sessions.keys()) if (ids.push(id) > this.#sessions.max) break;
    return ids;
  }

  /** Forgets every session (no `onDropped`) and stops the purge. */
  close(): void {
    clearInterval(this.#purge);
    this.#sessions.clear();
  }
}
