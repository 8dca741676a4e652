import express, { Router, type Request } from 'express';
import { safeReturnPath } from '../http/return-path.js';
import type { EventBus } from '../events.js';
import type { Store } from '../store/store.js';
import type { Renderer } from './render.js';
import { PLATFORM_SESSION_COOKIE, SESSION_COOKIE_OPTIONS, type WebAuth } from './session.js';
import { DEMO_PASSWORD } from '../../../seed/world.js';
import { formBody } from '../http/form-body.js';
import { credentialsInBodyOnly } from './login-throttle.js';
import { withoutHidden } from '../store/text.js';

/**
 * GET /login, POST /login (passport-local; the session is regenerated at login, RFC 9700 §4.x spirit
 * and OWASP session fixation), POST /logout. In demo mode the login page lists the seeded people as
 * one-click forms that still post username and password through the same login.
 * Logging in or out ends the previous session's sockets (`session.ended`, realtime/session-sockets.ts).
 * Logout is idempotent: without a logged-in person it needs no CSRF token (it changes nothing) and
 * redirects to the login page; it always expires the session cookie.
 */
export function authRoutes(deps: {
  store: Store;
  auth: WebAuth;
  events: EventBus;
  render: Renderer;
  demoMode: boolean;
  csrfProtect: express.RequestHandler;
  /** Limits failed logins (web/login-throttle.ts). */
  throttle: express.RequestHandler;
  /** ms since epoch: stamps `session.authTime`. */
  now: () => number;
}): Router {
  const { store, auth, events, render, demoMode, csrfProtect, throttle, now } = deps;
  const router = Router();
  const form = formBody('16kb');
  const loginPage = (req: Request, res: import('express').Response, error?: string, username?: string) =>
    render.page(
      req,
      res,
      'login',
      {
        title: 'Log in',
        error,
        username,
        demoPassword: DEMO_PASSWORD,
        demoPeople: demoMode
          ? store.all('people').map((p) => ({ username: p.username, displayName: p.displayName }))
          : [],
      },
      error ? 401 : 200,
    );

  router.get('/login', (req, res) => {
    if (req.query['returnTo'] !== undefined || !req.session.returnTo)
      req.session.returnTo = safeReturnPath(req.query['returnTo']);
    // `username` prefills the form (an app's OIDC `login_hint`, offered by "switch account").
    const hint = req.query['username'];
    // Shown as it reads: without control or invisible characters (a bidi override reorders it).
    loginPage(req, res, undefined, typeof hint === 'string' ? withoutHidden(hint).slice(0, 64) : undefined);
  });

  router.post('/login', ...form, credentialsInBodyOnly, csrfProtect, throttle, (req, res, next) => {
    const returnTo = safeReturnPath(req.session.returnTo);
    const previous = req.sessionID;
    auth.passport.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) return loginPage(req, res, 'Wrong username or password.', String(req.body?.username ?? ''));
      // passport ≥0.6 regenerates the session here: a fresh id, nothing carried over.
      req.login(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        events.emit('session.ended', { sessionId: previous, reason: 'logged_in' });
        req.session.authTime = now();
        req.session.passwordInteraction = /^\/interaction\/([^/?#]+)$/.exec(returnTo)?.[1];
        res.redirect(303, returnTo);
      });
    })(req, res, next);
  });

  /** Ends the session whoever holds it, expires its cookie and sends the browser to the login page. */
  const endSession: express.RequestHandler = (req, res, next) => {
    const sessionId = req.sessionID;
    res.clearCookie(PLATFORM_SESSION_COOKIE, SESSION_COOKIE_OPTIONS);
    const done = () => {
      events.emit('session.ended', { sessionId, reason: 'logged_out' });
      res.redirect(303, '/login');
    };
    if (!req.user) return req.session.destroy(done);
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(done);
    });
  };
  // Logged out: nothing to protect, so any body (or none, or one of another type) just ends the session.
  const whenLoggedOut: express.RequestHandler = (req, res, next) => (req.user ? next() : endSession(req, res, next));
  router.post('/logout', whenLoggedOut, ...form, csrfProtect, endSession);
  return router;
}
