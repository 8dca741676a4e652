import type { RequestHandler } from 'express';
import { InvalidTokenError } from '../errors.js';
import { isAdminToken } from '../http/admin-token.js';
import { bearerOf, MissingTokenError } from '../http/bearer-auth.js';

/** The admin API's realm: its token is not an OAuth access token, and DPoP is not offered. */
const ADMIN_REALM = 'glasshouse-admin';

/**
 * Lets through requests bearing `Authorization: Bearer <adminToken>` (RFC 6750 §2.1), compared in
 * constant time (`Authorization` twice is refused before any route: http/problem.ts
 * `answerServerWide`). Otherwise 401 problem details with `WWW-Authenticate: Bearer` (RFC 6750 §3): a bare
 * challenge without credentials, `error="invalid_token"` with wrong ones.
 */
export function adminAuth(adminToken: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (header === undefined || !/^Bearer\b/i.test(header))
      throw new MissingTokenError(
        'The admin API needs the admin token: Authorization: Bearer <ADMIN_TOKEN>',
        ADMIN_REALM,
      );
    if (!isAdminToken(bearerOf(header), adminToken)) throw new InvalidTokenError('Not the admin token', ADMIN_REALM);
    next();
  };
}
