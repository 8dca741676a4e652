import type { RequestHandler } from 'express';
import { PartnerFailure } from './failures.js';
import { currentUser } from './render.js';

/**
 * Pages need a logged-in person: browsers are sent to the landing page (303), `fetch` and
 * event-stream callers get the failure `login_required` (401 problem details with `redirect: '/'`).
 */
export const requireUser: RequestHandler = (req, res, next) => {
  if (currentUser(req)) return next();
  const eventStream = (req.get('accept') ?? '').includes('text/event-stream');
  if (!eventStream && req.accepts(['html', 'json']) === 'html') res.redirect(303, '/');
  else next(new PartnerFailure('login_required'));
};
