import type { Request, RequestHandler } from 'express';

/**
 * Where to go back after logging in: the page asked for; for a form posted without a session (it
 * expired while the page was open), the page the form was on (its same-origin Referer), since the
 * form's own path answers POST only; else the inbox.
 */
export function returnPath(req: Request): string {
  if (req.method === 'GET' || req.method === 'HEAD') return req.originalUrl;
  const referer = req.get('referer');
  if (!referer) return '/';
  try {
    const from = new URL(referer);
    return from.host === req.get('host') ? `${from.pathname}${from.search}` : '/';
  } catch {
    return '/';
  }
}

/** Sends a browser without a session to /login, remembering where it was going (`returnPath`). */
export const requireLogin: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  res.redirect(303, `/login?returnTo=${encodeURIComponent(returnPath(req))}`);
};
