import type { RequestHandler } from 'express';

/** Sends a browser without a session to /login, remembering where it was going. */
export const requireLogin: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  res.redirect(303, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
};
