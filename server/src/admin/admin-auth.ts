import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { InvalidTokenError } from '../errors.js';
import { MissingTokenError } from '../http/bearer-auth.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Lets through requests bearing `Authorization: Bearer <adminToken>` (RFC 6750 §2.1), compared in
 * constant time. Otherwise 401 problem details with `WWW-Authenticate: Bearer` (RFC 6750 §3).
 */
export function adminAuth(adminToken: string): RequestHandler {
  const expected = digest(adminToken);
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (header === undefined || !/^Bearer\b/i.test(header)) throw new MissingTokenError();
    const given = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) throw new InvalidTokenError('Not the admin token');
    next();
  };
}
