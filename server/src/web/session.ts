import type { RequestHandler } from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Store } from '../store/store.js';
import type { Person } from '../store/schema.js';
import { verifyPassword } from '../social/passwords.js';
import { personView, type PersonView } from '../social/social-service.js';

/** The platform's session cookie; partners use their own names (cookies are shared across ports). */
export const PLATFORM_SESSION_COOKIE = 'glasshouse.sid';

declare global {
  namespace Express {
    // The logged-in person on `req.user`.
    interface User extends PersonView {}
  }
}
declare module 'express-session' {
  interface SessionData {
    /** Where to go after login (a same-origin path). */
    returnTo?: string;
    /** The admin token was entered on /monitor in this session. */
    monitorUnlocked?: boolean;
    /**
     * When the person last proved their password in this session (ms since epoch): the OIDC
     * `auth_time` (OIDC Core §2) of the sign-ins it answers; `max_age` and `prompt=login` compare to it.
     */
    authTime?: number;
    /**
     * The OAuth interaction (sign-in request) uid during which that password was typed, if any:
     * `prompt=login` / `max_age` accept a login of this very sign-in only (interaction-login.ts).
     */
    passwordInteraction?: string;
  }
}
declare module 'node:http' {
  interface IncomingMessage {
    user?: Express.User;
  }
}

/** Attributes of the session cookie (also used to expire it at logout). */
export const SESSION_COOKIE_OPTIONS = { httpOnly: true, sameSite: 'lax', path: '/' } as const;

const SessionMemoryStore = createMemoryStore(session);

/**
 * An in-memory session store that forgets: sessions expired for `maxAgeMs` (ms) are dropped at least
 * every minute (every `maxAgeMs` when shorter), and past `max` sessions the least recently used one
 * (memorystore, over lru-cache). express-session's own MemoryStore only drops an expired session when
 * it is asked for again: cookie-less visits made sessions that stayed for the life of the process.
 * Call `stopInterval()` on close.
 */
export function boundedSessionStore(maxAgeMs: number, max: number) {
  return new SessionMemoryStore({ checkPeriod: Math.min(60_000, maxAgeMs), max });
}

/**
 * The web session (express-session over `boundedSessionStore`, `glasshouse.sid`, HttpOnly,
 * SameSite=Lax) and an own `Passport` instance (the session lives `maxAgeSeconds` after its last
 * request; at most `maxSessions` are kept) with the local strategy over the store's people (scrypt check).
 * `close()` stops the store's pruning timer.
 */
export function createWebAuth(store: Store, secret: string, maxAgeSeconds: number, maxSessions: number) {
  const sessions = boundedSessionStore(maxAgeSeconds * 1000, maxSessions);
  const sessionMiddleware: RequestHandler = session({
    name: PLATFORM_SESSION_COOKIE,
    secret,
    store: sessions,
    resave: false,
    saveUninitialized: false,
    cookie: { ...SESSION_COOKIE_OPTIONS, maxAge: maxAgeSeconds * 1000 },
  });
  const auth = new passport.Passport();
  auth.use(
    new LocalStrategy((username, password, done) => {
      const person: Person | undefined = store.personByUsername(username);
      // Verify against a dummy hash when the person is unknown, so timing does not reveal usernames.
      verifyPassword(password, person?.passwordHash ?? DUMMY_HASH).then(
        (ok) => done(null, person && ok ? personView(person) : false),
        (err: unknown) => done(err), // a 500 page for this request, never an unhandled rejection
      );
    }),
  );
  auth.serializeUser<string>((user, done) => done(null, user.id));
  auth.deserializeUser<string>((id, done) => {
    const person = store.get('people', id);
    done(null, person ? personView(person) : false);
  });
  return { sessionMiddleware, passport: auth, sessions, close: () => sessions.stopInterval() };
}

export type WebAuth = ReturnType<typeof createWebAuth>;

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
