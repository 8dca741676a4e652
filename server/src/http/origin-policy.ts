import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';
import { ForbiddenError } from '../errors.js';

/**
 * Which browser origins may use the platform's cookie-authenticated endpoints (README "Socket
 * security model"). Cookies on localhost are shared by every port (one *site*), and neither
 * `SameSite=Lax` nor CORS covers a WebSocket upgrade, so the `Origin` header (RFC 6454 §7) is the
 * check: allowed are `PLATFORM_URL`'s origin, the `ALLOWED_ORIGINS` list, and the origin the request
 * itself was addressed to (`Host`, i.e. a same-origin request, e.g. `127.0.0.1` vs `localhost`).
 * A request without `Origin` comes from a non-browser client (or a same-origin GET) and passes:
 * such a caller holds the cookie itself, so there is no confused deputy.
 */
export interface OriginPolicy {
  /** True when `origin` (the request's `Origin` header) may use the session of the request to `host`. */
  allows(origin: string | undefined, host: string | undefined): boolean;
  /** The socket.io namespace check: refuses a foreign origin with `connect_error` "forbidden_origin". */
  checkHandshake(req: IncomingMessage): Error | undefined;
  /**
   * Express guard for state-changing requests (anything but GET/HEAD/OPTIONS): passes
   * `Sec-Fetch-Site: same-origin`, else checks `Origin` as above; 403 `forbidden_origin` otherwise.
   */
  guard: RequestHandler;
}

/** The refusal a foreign page sees, as `connect_error` message or problem `code`. */
export const FORBIDDEN_ORIGIN = 'forbidden_origin';

export function createOriginPolicy(config: Pick<Config, 'PLATFORM_URL' | 'ALLOWED_ORIGINS'>): OriginPolicy {
  const allowed = new Set([new URL(config.PLATFORM_URL).origin, ...config.ALLOWED_ORIGINS]);
  const allows = (origin: string | undefined, host: string | undefined): boolean => {
    if (origin === undefined) return true;
    if (allowed.has(origin)) return true;
    return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
  };
  const header = (req: IncomingMessage, name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    allows,
    checkHandshake(req) {
      if (allows(header(req, 'origin'), header(req, 'host'))) return undefined;
      return Object.assign(new Error(FORBIDDEN_ORIGIN), {
        data: { detail: "This page's origin may not use the Glasshouse session" },
      });
    },
    guard(req, _res, next) {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
      // Browsers send `Origin: null` on same-origin form posts under `Referrer-Policy: no-referrer`
      // (helmet's default); Fetch Metadata (W3C) still says where the request came from.
      const site = req.get('sec-fetch-site');
      if (site === 'same-origin' || site === 'none') return next();
      if (!allows(req.get('origin'), req.get('host'))) {
        throw new ForbiddenError('This form was not sent from a Glasshouse page', FORBIDDEN_ORIGIN);
      }
      next();
    },
  };
}
