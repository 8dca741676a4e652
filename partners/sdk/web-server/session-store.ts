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
  /**
   * Whether a session is someone's who signed in (default: passport put a user in it). Such sessions
   * are kept apart from the others, each kind within `max` and `maxBytes`.
   */
  isSignedIn?: (sess: session.SessionData) => boolean;
}

/** passport's mark of a signed-in session (`req.login` stores the serialized user there). */
const passportUserIn = (sess: session.SessionData) =>
  (sess as { passport?: { user?: unknown } }).passport?.user !== undefined;

/** How often expired sessions are looked for at most (ms). */
const PURGE_EVERY_MS = 60_000;

/**
 * An express-session store in memory, with bounds (README "Retention"): a session is forgotten once
 * its cookie expired, whether or not it is asked for again (a purge every minute, or every
 * `maxAgeMs` when shorter: one timer, not one per session, so any lifetime works); at most `max`
 * sessions and `maxBytes` of them are kept, the least recently used dropped first (a read or a write
 * is a use). Sessions of people who signed in and the others (a login page remembering where to go
 * back to, a partner's pending "Log in with Glasshouse") are kept in two pools, each with those
 * bounds: a flood of visits that never sign in drops only such visits, never a signed-in person's
 * session. express-session's own MemoryStore only forgot an expired session when its cookie came
 * back, so every cookie-less visit that made a session stayed for the life of the process. Sessions
 * are kept as JSON (a copy per read, as express-session's stores do). Wall-clock time. Shared by the
 * platform and the partner apps; `close()` forgets everything and stops the timer.
 */
export class BoundedSessionStore extends session.Store {
  /** [signed in, the others]: a session is in one of them at most. */
  readonly #pools: readonly [LRUCache<string, string>, LRUCache<string, string>];
  /**
   * Sessions that expired or were dropped, until their cookie could still come back: a request that
   * read one before it went, and changes it after, must not bring it back (its sockets were told).
   */
  readonly #ended: LRUCache<string, true>;
  readonly #maxAgeMs: number;
  readonly #isSignedIn: (sess: session.SessionData) => boolean;
  readonly #purge: NodeJS.Timeout;

  constructor(options: BoundedSessionStoreOptions) {
    super();
    this.#maxAgeMs = options.maxAgeMs;
    this.#isSignedIn = options.isSignedIn ?? passportUserIn;
    const { onDropped } = options;
    this.#ended = new LRUCache<string, true>({ max: 2 * options.max, ttl: options.maxAgeMs, ttlAutopurge: false });
    const pool = () =>
      new LRUCache<string, string>({
        max: options.max,
        maxSize: options.maxBytes ?? 32 * 2 ** 20,
        sizeCalculation: (json, sessionId) => Buffer.byteLength(json) + Buffer.byteLength(sessionId),
        ttl: options.maxAgeMs,
        ...(onDropped && {
          // Told once the cache is done: a listener may use the store again (express-session touches a
          // session when its response ends), which lru-cache must not see from inside its own dispose.
          dispose: (_value: string, sessionId: string, reason: LRUCache.DisposeReason) => {
            const why = reason === 'expire' ? 'expired' : reason === 'evict' ? 'dropped' : undefined;
            if (why) queueMicrotask(() => onDropped(sessionId, why));
          },
        }),
        disposeAfter: (_value: string, sessionId: string, reason: LRUCache.DisposeReason) => {
          if (reason === 'expire' || reason === 'evict') this.#ended.set(sessionId, true);
        },
      });
    this.#pools = [pool(), pool()];
    this.#purge = setInterval(
      () => this.#pools.forEach((p) => p.purgeStale()),
      Math.min(PURGE_EVERY_MS, options.maxAgeMs),
    );
    this.#purge.unref();
  }

  /** The pool holding `sessionId`, if any. */
  #poolOf(sessionId: string): LRUCache<string, string> | undefined {
    return this.#pools.find((p) => p.has(sessionId));
  }

  /** Stores `sess` in the pool of its kind, taking it out of the other one (a login, a logout). */
  #keep(sessionId: string, sess: session.SessionData): void {
    const [signedIn, others] = this.#pools;
    const [to, from] = this.#isSignedIn(sess) ? [signedIn, others] : [others, signedIn];
    from.delete(sessionId);
    to.set(sessionId, JSON.stringify(sess), { ttl: this.#ttl(sess) });
  }

  /** Time left (ms) of `sess` by its cookie (`maxAgeMs` when it has no expiry), at least 1. */
  #ttl(sess: session.SessionData): number {
    const left = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() - Date.now() : this.#maxAgeMs;
    return Math.max(1, left);
  }

  override get(sessionId: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    // Asked of both: a read notices an expired session (it ends then, if the purge has not come yet).
    const text = this.#pools[0].get(sessionId) ?? this.#pools[1].get(sessionId);
    callback(null, text === undefined ? null : (JSON.parse(text) as session.SessionData));
  }

  /** Stores `sess`, unless its session expired or was dropped meanwhile (it stays ended). */
  override set(sessionId: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    if (!this.#ended.has(sessionId)) this.#keep(sessionId, sess);
    callback?.();
  }

  /** A request that did not change the session moves its expiry (express-session calls it when the cookie is renewed). */
  override touch(sessionId: string, sess: session.SessionData, callback?: () => void): void {
    if (this.#poolOf(sessionId)) this.#keep(sessionId, sess);
    callback?.();
  }

  override destroy(sessionId: string, callback?: (err?: unknown) => void): void {
    for (const pool of this.#pools) pool.delete(sessionId);
    callback?.();
  }

  override length(callback: (err: unknown, length?: number) => void): void {
    callback(null, this.#pools[0].size + this.#pools[1].size);
  }

  override clear(callback?: (err?: unknown) => void): void {
    for (const pool of this.#pools) pool.clear();
    this.#ended.clear();
    callback?.();
  }

  /**
   * Ids of the sessions kept: the signed-in ones, then the others, each most recently used first; at
   * most `max` + 1 of each are walked (diagnostics, tests).
   */
  ids(): string[] {
    return this.#pools.flatMap((pool) => {
      const ids: string[] = [];
      for (const id of pool.keys()) if (ids.push(id) > pool.max) break;
      return ids;
    });
  }

  /** Forgets every session (no `onDropped`) and stops the purge. */
  close(): void {
    clearInterval(this.#purge);
    for (const pool of this.#pools) pool.clear();
    this.#ended.clear();
  }
}
