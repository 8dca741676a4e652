import { randomBytes } from 'node:crypto';
import type { Request } from 'express';

/** At most this many logins wait for their callback in one session; a newer one drops the oldest. */
export const MAX_PENDING_LOGINS = 5;
/** A login's callback must come back within this long (ms): 10 minutes. */
export const PENDING_LOGIN_MAX_AGE_MS = 10 * 60 * 1000;

/** One authorization request sent to the platform and not answered yet. */
export interface PendingLogin {
  /** The `state` sent with it (RFC 6749 §10.12): 32 random bytes, base64url. */
  state: string;
  /** Its PKCE `code_verifier` (RFC 7636 §4.1). */
  codeVerifier: string;
  /** When it was sent, ms since epoch. */
  createdAt: number;
}

declare module 'express-session' {
  interface SessionData {
    /** Oldest first. */
    pendingLogins?: PendingLogin[];
  }
}

type StoreCallback = (err: Error | null, state?: string) => void;
type VerifyCallback = (err: Error | null, codeVerifier: string | false, info?: { message: string }) => void;

/**
 * passport-oauth2's state store (its documented `store` option, with `pkce: true`) that keeps
 * SEVERAL pending authorization requests per session, so two login tabs both complete, in either
 * order: a callback consumes only its own request (matched by `state`), never the others'. Bounded
 * in number (`MAX_PENDING_LOGINS`, oldest dropped) and age (`PENDING_LOGIN_MAX_AGE_MS`).
 * The list lives in the partner's session (`req.session.pendingLogins`).
 */
export class PendingLoginStore {
  constructor(private readonly now: () => number = Date.now) {}

  /** The session's pending requests that are still young enough (older ones are forgotten). */
  private live(req: Request): PendingLogin[] {
    const cutoff = this.now() - PENDING_LOGIN_MAX_AGE_MS;
    return (req.session.pendingLogins ?? []).filter((p) => p.createdAt > cutoff && p.createdAt <= this.now());
  }

  /**
   * Called by passport-oauth2 when a login starts (arity 5: with the PKCE verifier).
   * Answers the `state` to send.
   */
  store(req: Request, codeVerifier: string, _state: unknown, _meta: unknown, done: StoreCallback): void {
    if (!req.session) return done(new Error('The partner login needs a session'));
    const state = randomBytes(32).toString('base64url');
    const pending = [...this.live(req), { state, codeVerifier, createdAt: this.now() }];
    req.session.pendingLogins = pending.slice(-MAX_PENDING_LOGINS);
    done(null, state);
  }

  /**
   * Called by passport-oauth2 on the callback (arity 3): answers the PKCE verifier of the pending
   * request with this `state` and forgets that request only; `false` when none matches (unknown,
   * expired, dropped or already used).
   */
  verify(req: Request, providedState: string, done: VerifyCallback): void {
    if (!req.session) return done(new Error('The partner login needs a session'), false);
    const live = this.live(req);
    const match = live.find((p) => p.state === providedState);
    const rest = live.filter((p) => p !== match);
    if (rest.length) req.session.pendingLogins = rest;
    else delete req.session.pendingLogins;
    if (!match) return done(null, false, { message: 'No pending login has this state' });
    done(null, match.codeVerifier);
  }
}
