import type { RequestHandler } from 'express';
import { CsrfError } from './csrf.js';

/**
 * Refuses state-changing requests (anything but GET/HEAD/OPTIONS) that a browser sent from another
 * origin (RFC 6454 `Origin`; Fetch Metadata `Sec-Fetch-Site: same-origin` passes, as browsers send
 * `Origin: null` under `Referrer-Policy: no-referrer`). On localhost every port is the same site, so
 * SameSite cookies alone would let a page on another port post here. Requests without `Origin` (not
 * from a browser page) pass; the CSRF token is still required. Same rule as the platform's (its
 * README "Socket security model"). A refusal is the usual 403 "form expired" page.
 */
export function originGuard(publicUrl: string): RequestHandler {
  const own = new URL(publicUrl).origin;
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const host = req.get('host');
    const sameOrigin =
      origin === undefined || origin === own || origin === `http://${host}` || origin === `https://${host}`;
    if (site === 'same-origin' || site === 'none' || sameOrigin) return next();
    next(new CsrfError(`forbidden origin ${origin}`));
  };
}
