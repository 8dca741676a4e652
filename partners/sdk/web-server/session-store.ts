import session from 'express-session';
import { LRUCache } from 'lru-cache';

/** Why a session left the store without being destroyed: its time ran out, or room was needed. */
export type SessionDropReason = 'expired' | 'dropped';

export interface BoundedSessionStoreOptions {
  /** Most sessions kept of each kind (signed in, not); past it the least recently used of that kind is dropped. */
  max: number;
  /** Lifetime (ms) of a session whose cookie gives none (express-session sets `cookie.expires` from `maxAge`). */
  maxAgeMs: number;
  /** Most bytes of session JSON kept of each kind (default 32 MiB); past it the least recently used are dropped. */
  maxBytes?: number;
  /** Told of each session that expired or was dropped (not of one destroyed: a logout says so itself). */
  onDropped?: (sessionId: string, reason: SessionDropReason) => void;
  /**
   * Whether a session is someone's who signed in (default: passport put a user in it). Such sessions
   * are kept apart from the others, each kind within `max` and `maxBytes` (so the store holds at most
   * twice those).
   */
  isSignedIn?: (sess: session.SessionData) => boolean;
}

/** The serialized user passport keeps in a signed-in session (`req.login` stores it), if any. */
const passportUserOf = (sess: session.SessionData): unknown =>
  (sess as { passport?: { user?: unknown } }).passport?.user;

/** passport's mark of a signed-in session (`req.login` stores the serialized user there). */
export const passportUserIn = (sess: session.SessionData): boolean => passportUserOf(sess) !== undefined;

/**
 * One kind of session (signed in, or not): the sessions, and the ids of those that ended within their
 * lifetime: `true` for one expired, dropped or destroyed (no save of it is kept), or the passport user
 * who logged out of it while it went on (no save of a copy still signed in as that user is kept). A
 * request that read a session before it ended and saves it as it finishes must not bring it back: its
 * sockets were told it ended, and after a logout it would be logged in again. Each kind keeps its own
 * ended ids, so visitors who never sign in cannot push a signed-in person's out.
 */
interface SessionPool {
  sessions: LRUCache<string, string>;
  ended: LRUCache<string, true | { loggedOut: unknown }>;
}

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
  readonly #pools: readonly [SessionPool, SessionPool];
  readonly #maxAgeMs: number;
  /** Sessions per pool at most (`max`). */
  readonly #max: number;
  readonly #isSignedIn: (sess: session.SessionData) => boolean;
  readonly #purge: NodeJS.Timeout;

  constructor(options: BoundedSessionStoreOptions) {
    super();
    this.#maxAgeMs = options.maxAgeMs;
    this.#max = options.max;
    this.#isSignedIn = options.isSignedIn ?? passportUserIn;
    const { onDropped } = options;
    // No lru-cache `max`: it allocates room for `max` entries up front (about 0.4 MB for 10,000, per
    // cache: 1.7 MB for the four when nobody is logged in). The ids ended count 1 each against
    // `maxSize`; the sessions, measured in bytes, are held to `max` in `#keep`.
    const pool = (): SessionPool => {
      const ended = new LRUCache<string, true | { loggedOut: unknown }>({
        maxSize: options.max,
        sizeCalculation: () => 1,
        ttl: options.maxAgeMs,
      });
      const sessions = new LRUCache<string, string>({
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
          if (reason === 'expire' || reason === 'evict') ended.set(sessionId, true);
        },
      });
      return { sessions, ended };
    };
    this.#pools = [pool(), pool()];
    this.#purge = setInterval(
      () => this.#pools.forEach((p) => p.sessions.purgeStale()),
      Math.min(PURGE_EVERY_MS, options.maxAgeMs),
    );
    this.#purge.unref();
  }

  /** The stored JSON of `sessionId`, from either pool; a read notices an expired session (it ends then, if the purge has not come yet). */
  #read(sessionId: string): string | undefined {
    return this.#pools[0].sessions.get(sessionId) ?? this.#pools[1].sessions.get(sessionId);
  }

  /** The pool `sess` belongs in: signed in or not. */
  #poolFor(sess: session.SessionData): SessionPool {
    return this.#isSignedIn(sess) ? this.#pools[0] : this.#pools[1];
  }

  /**
   * Stores `sess` in the pool of its kind, taking it out of the other one. When a passport user leaves
   * a session that goes on (a logout that keeps it, as passport's does before it is destroyed), that
   * is marked in the signed-in pool: a request that read it while that user was in cannot save it
   * back. Other saves of it as signed in (an unlocked monitor) are kept.
   */
  #keep(sessionId: string, sess: session.SessionData): void {
    const to = this.#poolFor(sess);
    const [signedIn] = this.#pools;
    for (const from of this.#pools) {
      if (from === to) continue;
      const stored = from.sessions.peek(sessionId);
      if (stored === undefined) continue;
      from.sessions.delete(sessionId);
      const user = passportUserOf(JSON.parse(stored) as session.SessionData);
      if (from === signedIn && user !== undefined && user !== passportUserOf(sess))
        signedIn.ended.set(sessionId, { loggedOut: user });
    }
    to.sessions.set(sessionId, JSON.stringify(sess), { ttl: this.#ttl(sess) });
    if (to.sessions.size > this.#max) to.sessions.pop(); // the least recently used, as an eviction
  }

  /** Whether `sess`, saved as `sessionId`, would bring back a session that ended (see SessionPool). */
  #ended(sessionId: string, sess: session.SessionData): boolean {
    const mark = this.#poolFor(sess).ended.get(sessionId);
    return mark === true || (mark !== undefined && mark.loggedOut === passportUserOf(sess));
  }

  /** Time left (ms) of `sess` by its cookie (`maxAgeMs` when it has no expiry), at least 1. */
  #ttl(sess: session.SessionData): number {
    const left = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() - Date.now() : this.#maxAgeMs;
    return Math.max(1, left);
  }

  override get(sessionId: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const text = this.#read(sessionId);
    callback(null, text === undefined ? null : (JSON.parse(text) as session.SessionData));
  }

  /**
   * Stores `sess`, unless a session of its kind with this id ended meanwhile (expired, dropped,
   * destroyed, or, for a signed-in copy, logged out): it stays ended.
   */
  override set(sessionId: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    if (!this.#ended(sessionId, sess)) this.#keep(sessionId, sess);
    callback?.();
  }

  /**
   * A request that did not change the session moves its expiry (express-session calls it when the
   * cookie is renewed): only the cookie is taken from `sess`, a copy read when the request began; what
   * another request stored meanwhile stays.
   */
  override touch(sessionId: string, sess: session.SessionData, callback?: () => void): void {
    const stored = this.#read(sessionId);
    if (stored !== undefined)
      this.#keep(sessionId, { ...(JSON.parse(stored) as session.SessionData), cookie: sess.cookie });
    callback?.();
  }

  /**
   * Ends a session (a logout, a login's regenerate): like a dropped one, it stays ended, in the pool
   * that held it. An id no pool holds marks nothing: a logout without a session (no cookie, no CSRF
   * token needed) could otherwise push real marks out, as many as it likes.
   */
  override destroy(sessionId: string, callback?: (err?: unknown) => void): void {
    for (const { sessions, ended } of this.#pools) if (sessions.delete(sessionId)) ended.set(sessionId, true);
    callback?.();
  }

  override length(callback: (err: unknown, length?: number) => void): void {
    callback(null, this.#pools[0].sessions.size + this.#pools[1].sessions.size);
  }

  override clear(callback?: (err?: unknown) => void): void {
    for (const { sessions, ended } of this.#pools) {
      sessions.clear();
      ended.clear();
    }
    callback?.();
  }

  /**
   * Ids of the sessions kept: the signed-in ones, then the others, each most recently used first; at
   * most `max` + 1 of each are walked (diagnostics, tests).
   */
  ids(): string[] {
    return this.#pools.flatMap(({ sessions }) => {
      const ids: string[] = [];
      for (const id of sessions.keys()) if (ids.push(id) > this.#max) break;
      return ids;
    });
  }

  /** Forgets every session (no `onDropped`) and stops the purge. */
  close(): void {
    clearInterval(this.#purge);
    this.clear();
  }
}
