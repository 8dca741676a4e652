import type { Request, RequestHandler } from 'express';
import type { Config } from '../config.js';
import { InvalidTokenError } from '../errors.js';
import { isAdminToken } from '../http/admin-token.js';
import { bearerOf, MissingTokenError } from '../http/bearer-auth.js';
import { returnPath } from '../web/require-login.js';
import { sendProblem } from '../http/problem.js';
import type { Store } from '../store/store.js';

/** Whether this request may see the monitor: admin bearer token, unlocked session, or admin person. */
export function mayMonitor(req: Request, config: Config, store: Store): boolean {
  if (isAdminToken(bearerOf(req.get('authorization')), config.ADMIN_TOKEN)) return true;
  if (req.session?.monitorUnlocked) return true;
  return Boolean(req.user && store.get('people', req.user.id)?.isAdmin);
}

/** Sends viewers without access to the unlock page (browsers) — or 401 for API-style callers. */
export function requireMonitor(config: Config, store: Store): RequestHandler {
  return (req, res, next) => {
    if (mayMonitor(req, config, store)) return next();
    if (req.accepts(['html', 'json']) === 'html')
      return res.redirect(303, `/monitor/unlock?returnTo=${encodeURIComponent(returnPath(req))}`);
    // RFC 6750 §3.1: no credentials, a challenge without an error code; wrong ones, invalid_token.
    const refusal = bearerOf(req.get('authorization'))
      ? new InvalidTokenError('The monitor needs the admin token', 'glasshouse-admin')
      : new MissingTokenError(
          'The monitor needs the admin token: Authorization: Bearer <ADMIN_TOKEN>',
          'glasshouse-admin',
        );
    sendProblem(res, req, refusal);
  };
}
