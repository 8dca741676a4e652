import type { RequestHandler } from 'express';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ipKeyGenerator, rateLimit, type AugmentedRequest } from 'express-rate-limit';
import type { Clock } from '../clock/clock.js';
import { BadRequestError, TooManyRequestsError } from '../errors.js';
import { clockedRateStore } from '../http/clocked-rate-store.js';
import { loginName } from './login-name.js';

declare global {
  namespace Express {
    interface Locals {
      /** Whose password a request tries, when it is not the form's `username` (`passwordOfSignedIn`). */
      passwordOf?: string;
    }
  }
}

/** Failed logins allowed per address and username in one window. */
export const LOGIN_ATTEMPTS = 10;
/** The window, in seconds (5 minutes). */
export const LOGIN_WINDOW_SECONDS = 300;

/** Whether `address` (lower case, no zone) is one of this machine's network interfaces' own. */
const isOwnAddress = (address: string): boolean =>
  Object.values(networkInterfaces()).some((list) =>
    list?.some((i) => i.address.split('%')[0]!.toLowerCase() === address),
  );

/**
 * Where a login attempt comes from, for the throttle: every address of this machine as one, `local`
 * (127.0.0.0/8, ::1 and its network interfaces' own addresses: a process rotating through them is
 * still one client); an IPv6 address from elsewhere by its /56 (a host or a home network holds a
 * whole prefix: express-rate-limit's `ipKeyGenerator`); an IPv4 address by itself.
 */
export function attemptSource(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const bare = ip.split('%')[0]!.toLowerCase();
  const address = bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
  if (address.startsWith('127.') || address === '::1' || isOwnAddress(address)) return 'local';
  return isIP(address) === 6 ? ipKeyGenerator(address, 56) : address;
}

/**
 * Slows password guessing on POST /login (OWASP ASVS 2.2.1): at most `LOGIN_ATTEMPTS` failed
 * attempts per client address (`attemptSource`) and username per window; successful logins do not count. Over the
 * limit: 429 with the seconds to wait. Windows run on `clock`. One store per platform instance; `close()` stops its timer.
 * Must run after the form body is parsed (the key includes the username).
 */
export function loginThrottle(clock: Clock): { middleware: RequestHandler; close(): void } {
  const windowMs = LOGIN_WINDOW_SECONDS * 1000;
  const store = clockedRateStore(clock, windowMs);
  const middleware = rateLimit({
    windowMs,
    limit: LOGIN_ATTEMPTS,
    store,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req, res) =>
      `${attemptSource(req.ip)}|${loginName(res.locals.passwordOf ?? (req.body as { username?: unknown } | undefined)?.username)}`,
    handler: (req, _res, next) => {
      const reset = (req as Partial<AugmentedRequest>).rateLimit?.resetTime?.getTime() ?? Date.now() + windowMs;
      next(new TooManyRequestsError(Math.max(1, Math.ceil((reset - Date.now()) / 1000))));
    },
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false, keyGeneratorIpFallback: false },
  });
  return { middleware, close: () => store.resetAll?.() };
}

/**
 * Before the throttle on a form that checks the password of the person already logged in (the OAuth
 * sign-in's "confirm your password"): the attempts count against that person, whatever the form's
 * `username` field says (an attacker holding a session could otherwise name a new user per guess).
 */
export const passwordOfSignedIn: RequestHandler = (req, res, next) => {
  res.locals.passwordOf = req.user?.username ?? '';
  next();
};

/**
 * Before the web login: the username and password are read from the form body only. passport-local
 * also takes them from the query string, where they would end up in logs and history and where the
 * throttle, which keys on the body, did not count them.
 * @throws BadRequestError (400) when the URL carries `username` or `password`.
 */
export const credentialsInBodyOnly: RequestHandler = (req, _res, next) => {
  const query = req.query as Record<string, unknown>;
  if ('username' in query || 'password' in query)
    return next(new BadRequestError('Send the username and password in the form, not in the address'));
  next();
};
