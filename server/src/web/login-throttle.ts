import type { RequestHandler } from 'express';
import { rateLimit, type AugmentedRequest } from 'express-rate-limit';
import type { Clock } from '../clock/clock.js';
import { TooManyRequestsError } from '../errors.js';
import { clockedRateStore } from '../http/clocked-rate-store.js';
import { loginName } from './login-name.js';

/** Failed logins allowed per address and username in one window. */
export const LOGIN_ATTEMPTS = 10;
/** The window, in seconds (5 minutes). */
export const LOGIN_WINDOW_SECONDS = 300;

/**
 * Slows password guessing on POST /login (OWASP ASVS 2.2.1): at most `LOGIN_ATTEMPTS` failed
 * attempts per client address and username per window; successful logins do not count. Over the
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
    keyGenerator: (req) =>
      `${req.ip ?? 'unknown'}|${loginName((req.body as { username?: unknown } | undefined)?.username)}`,
    handler: (req, _res, next) => {
      const reset = (req as Partial<AugmentedRequest>).rateLimit?.resetTime?.getTime() ?? Date.now() + windowMs;
      next(new TooManyRequestsError(Math.max(1, Math.ceil((reset - Date.now()) / 1000))));
    },
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false, keyGeneratorIpFallback: false },
  });
  return { middleware, close: () => store.resetAll?.() };
}
