import express, { Router, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import {
  discover,
  GlasshouseError,
  GlasshouseIssuerError,
  readAuthorizationResponse,
  type AuthorizationResponse,
  type AuthorizationServerMetadata,
  type DPoPKey,
} from '../sdk/index.js';
import type { Accounts } from './accounts.js';
import type { PartnerConfig } from './config.js';
import { PartnerFailure } from './failures.js';
import { GlasshouseStrategy, tokenExchangeError } from './glasshouse-strategy.js';
import type { PartnerUser } from './render.js';

/** The strategy's name in this app's own passport instance. */
const STRATEGY = 'glasshouse';

/**
 * "Log in with Glasshouse" for one partner app: an own `Passport` instance (no globals) whose
 * session holds only the person id; the person and tokens live in `accounts`. The strategy is built
 * on first use from the platform's discovery metadata, so a partner starts even while the platform
 * is down (the login page then says so, with a retry link).
 */
export function createLogin(config: PartnerConfig, accounts: Accounts, now: () => number = Date.now, dpop?: DPoPKey) {
  const auth = new passport.Passport();
  auth.serializeUser<string>((user, done) => done(null, (user as PartnerUser).id));
  auth.deserializeUser<string>((id, done) => {
    const account = accounts.get(id);
    done(null, account ? toUser(account.person) : false);
  });

  let ready: Promise<AuthorizationServerMetadata> | undefined;
  /** Builds the strategy once; answers the platform's metadata. @throws GlasshouseUnreachableError… */
  function ensureStrategy(): Promise<AuthorizationServerMetadata> {
    ready ??= discover(config.platformUrl).then(
      (metadata) => {
        auth.use(
          STRATEGY,
          new GlasshouseStrategy(
            config,
            metadata,
            (person, tokens) => toUser(accounts.upsert(person, tokens).person),
            now,
            dpop,
          ),
        );
        return metadata;
      },
      (err: unknown) => {
        ready = undefined;
        throw err;
      },
    );
    return ready;
  }

  return { passport: auth, ensureStrategy, clientId: config.clientId };
}

function toUser(p: { id: string; username: string; displayName: string }): PartnerUser {
  return { id: p.id, username: p.username, displayName: p.displayName };
}

export type Login = ReturnType<typeof createLogin>;

/**
 * The callback's authorization response, `iss` checked (SDK `readAuthorizationResponse`). A response
 * unusable for its own parameters (one given twice, a JARM `response`…) comes from the visitor's
 * request, not from the platform: `bad_state` (400), not a bad gateway. A wrong or missing `iss`
 * stays `wrong_issuer`.
 */
function authorizationResponse(...args: Parameters<typeof readAuthorizationResponse>): AuthorizationResponse {
  try {
    return readAuthorizationResponse(...args);
  } catch (err) {
    if (err instanceof GlasshouseError && !(err instanceof GlasshouseIssuerError))
      throw new PartnerFailure('bad_state');
    throw err;
  }
}

/**
 * `GET /auth/login` redirects to the platform's authorization endpoint (code, PKCE S256, state, all
 * partner scopes); each start adds a pending request to the session (see `pending-logins.ts`), so
 * several login tabs all complete. `GET /auth/callback` refuses, with pages: a response without
 * state or without both code and error (`bad_state`), a wrong or missing RFC 9207 `iss`
 * (`wrong_issuer`), provider errors, a `state` no pending request has; then exchanges the code
 * (errors classified in `failures.ts`) and logs the person in on a regenerated session that keeps
 * the other pending requests. `POST /logout` forgets the person's tokens, ends the session and
 * expires its cookie; when nobody is logged in it just redirects to the landing page (with its
 * "Log in with Glasshouse" button).
 */
export function loginRoutes(deps: {
  login: Login;
  csrfProtect: import('express').RequestHandler;
  onLogout: (req: Request) => Promise<void>;
  /** A login replaced web session `sessionId` (regenerated): its live streams end. */
  onSessionReplaced?: (sessionId: string) => void;
  /** The session cookie's name, expired by every logout. */
  cookieName: string;
}): Router {
  const { login } = deps;
  const router = Router();

  router.get('/auth/login', async (req, res, next) => {
    await login.ensureStrategy();
    login.passport.authenticate(STRATEGY)(req, res, next);
  });

  router.get('/auth/callback', async (req: Request, res: Response, next: NextFunction) => {
    const params = new URL(req.originalUrl, 'http://partner.invalid').searchParams;
    if ((!params.has('code') && !params.has('error')) || !params.get('state')) throw new PartnerFailure('bad_state');
    const metadata = await login.ensureStrategy();
    const response = authorizationResponse(metadata, login.clientId, params);
    if (response.error === 'access_denied') throw new PartnerFailure('consent_denied');
    if (response.error)
      throw new PartnerFailure(
        'authorization_error',
        `${response.error}${response.errorDescription ? `: ${response.errorDescription}` : ''}`,
      );
    if (!response.code) throw new PartnerFailure('bad_state');
    const previous = req.sessionID;
    login.passport.authenticate(STRATEGY, (err: unknown, user: PartnerUser | false) => {
      if (err) return next(tokenExchangeError(err, metadata.token_endpoint));
      if (!user) return next(new PartnerFailure('bad_state'));
      deps.onSessionReplaced?.(previous);
      // passport ≥ 0.6 regenerates the session here (no session fixation); the other tabs'
      // pending requests are carried over.
      req.logIn(user, { session: true, keepSessionInfo: true }, (loginErr) =>
        loginErr ? next(loginErr) : res.redirect(303, '/'),
      );
    })(req, res, next);
  });

  // Idempotent: logged out already (a stale tab), it needs no CSRF token (it changes nothing).
  const csrfIfLoggedIn: import('express').RequestHandler = (req, res, next) =>
    req.user ? deps.csrfProtect(req, res, next) : next();
  // Any body at all: a logout reads no field, and stays idempotent whatever is sent (test/web/logout.test.ts).
  router.post('/logout', express.urlencoded({ extended: false, limit: '4kb' }), csrfIfLoggedIn, async (req, res) => {
    await deps.onLogout(req);
    res.clearCookie(deps.cookieName, { httpOnly: true, sameSite: 'lax', path: '/' });
    res.redirect(303, '/?notice=logged_out');
  });

  return router;
}
