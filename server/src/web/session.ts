import type { RequestHandler } from 'express';
import session from 'express-session';
import { BoundedSessionStore, passportUserIn, type SessionDropReason } from '../../../partners/sdk/web-server/index.js';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Store } from '../store/store.js';
import type { Person } from '../store/schema.js';
import { verifyPassword } from '../social/passwords.js';
import { personView, type PersonView } from '../social/social-service.js';
import { loginName } from './login-name.js';

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

export interface WebAuthOptions {
  /** Signs the session cookie. */
  secret: string;
  /** A session ends this long (s) after its last request. */
  maxAgeSeconds: number;
  /** Most sessions kept (`SESSIONS_MAX`); past it the least recently used is dropped. */
  maxSessions: number;
  /** Told of a session that expired or was dropped (its sockets are closed through `session.ended`). */
  onDropped: (sessionId: string, reason: SessionDropReason) => void;
}

/**
 * The web session (express-session over a `BoundedSessionStore`: expired sessions forgotten even if
 * never asked for again, at most `maxSessions` of logged-in people or unlocked monitors and as many of
 * other visitors; `glasshouse.sid`, HttpOnly, SameSite=Lax) and an own
 * `Passport` instance with the local strategy over the store's people (scrypt check). A session lives
 * `maxAgeSeconds` after its last request. `close()` forgets the sessions and their timers.
 */
export function createWebAuth(store: Store, options: WebAuthOptions) {
  const { secret, maxAgeSeconds } = options;
  const sessions = new BoundedSessionStore({
    max: options.maxSessions,
    maxAgeMs: maxAgeSeconds * 1000,
    onDropped: options.onDropped,
    // Someone logged in, or an educator who unlocked the monitor with the admin token: both are kept
    // apart from visitors who did neither, whom a flood cannot use to push them out.
    isSignedIn: (sess) => passportUserIn(sess) || sess.monitorUnlocked === true,
  });
  const sessionMiddleware: RequestHandler = session({
    name: PLATFORM_SESSION_COOKIE,
    secret,
    store: sessions,
    resave: false,
    saveUninitialized: false,
    // The cookie's expiry moves with each request, as the session's does in the store: a session
    // ends `maxAgeSeconds` after its last request in the browser too.
    rolling: true,
    cookie: { ...SESSION_COOKIE_OPTIONS, maxAge: maxAgeSeconds * 1000 },
  });
  const auth = new passport.Passport();
  auth.use(
    new LocalStrategy((username, password, done) => {
      const person: Person | undefined = store.personByUsername(loginName(username));
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
  return { sessionMiddleware, passport: auth, sessions, close: () => sessions.close() };
}

export type WebAuth = ReturnType<typeof createWebAuth>;

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
