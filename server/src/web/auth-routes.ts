import express, { Router, type Request } from 'express';
import { safeReturnPath } from '../http/return-path.js';
import type { Store } from '../store/store.js';
import type { Renderer } from './render.js';
import type { WebAuth } from './session.js';
import { DEMO_PASSWORD } from '../../../seed/world.js';


/**
 * GET /login, POST /login (passport-local; the session is regenerated at login, RFC 9700 §4.x spirit
 * and OWASP session fixation), POST /logout. In demo mode the login page lists the seeded people as
 * one-click forms that still post username and password through the same login.
 */
export function authRoutes(deps: {
  store: Store; auth: WebAuth; render: Renderer; demoMode: boolean; csrfProtect: express.RequestHandler;
  /** Limits failed logins (web/login-throttle.ts). */
  throttle: express.RequestHandler;
}): Router {
  const { store, auth, render, demoMode, csrfProtect, throttle } = deps;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const loginPage = (req: Request, res: import('express').Response, error?: string, username?: string) =>
    render.page(req, res, 'login', {
      title: 'Log in',
      error,
      username,
      demoPassword: DEMO_PASSWORD,
      demoPeople: demoMode ? store.all('people').map((p) => ({ username: p.username, displayName: p.displayName })) : [],
    }, error ? 401 : 200);

  router.get('/login', (req, res) => {
    if (req.query['returnTo'] !== undefined || !req.session.returnTo) req.session.returnTo = safeReturnPath(req.query['returnTo']);
    loginPage(req, res);
  });

  router.post('/login', form, throttle, csrfProtect, (req, res, next) => {
    const returnTo = safeReturnPath(req.session.returnTo);
    auth.passport.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) return loginPage(req, res, 'Wrong username or password.', String(req.body?.username ?? ''));
      // passport ≥0.6 regenerates the session here: a fresh id, nothing carried over.
      req.login(user, (loginErr) => (loginErr ? next(loginErr) : res.redirect(303, returnTo)));
    })(req, res, next);
  });

  router.post('/logout', form, csrfProtect, (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => res.redirect(303, '/login'));
    });
  });
  return router;
}
