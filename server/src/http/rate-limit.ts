import type { RequestHandler } from 'express';
import { rateLimit, type AugmentedRequest } from 'express-rate-limit';
import type { Clock } from '../clock/clock.js';
import { TooManyRequestsError } from '../errors.js';
import { clockedRateStore } from './clocked-rate-store.js';

export interface TokenRateLimit {
  middleware: RequestHandler;
  /** Forgets every window (no timer to stop). */
  close(): void;
}

/**
 * At most `limit` requests per access token per `windowSeconds` (after `bearerAuth`, keyed by the
 * token's hash; issue #4: "rate limiting per token"). A refreshed token is a new token with its own
 * budget (README "Messaging API for partners"). Over the limit: 429 problem details with `Retry-After` (RFC 9110 §10.2.3) and the
 * IETF `RateLimit` / `RateLimit-Policy` headers (draft 7) on every response. Windows run on `clock`.
 */
export function tokenRateLimit({
  limit,
  windowSeconds,
  clock,
}: {
  limit: number;
  windowSeconds: number;
  clock: Clock;
}): TokenRateLimit {
  const windowMs = windowSeconds * 1000;
  const store = clockedRateStore(clock, windowMs);
  const middleware = rateLimit({
    windowMs,
    limit,
    store,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => res.locals.tokenKey ?? 'anonymous',
    handler: (req, _res, next) => {
      const reset = (req as Partial<AugmentedRequest>).rateLimit?.resetTime?.getTime();
      next(new TooManyRequestsError(Math.max(1, Math.ceil(((reset ?? Date.now() + windowMs) - Date.now()) / 1000))));
    },
    // The key is a token hash, never an IP: the IP and proxy checks do not apply.
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false, keyGeneratorIpFallback: false },
  });
  return { middleware, close: () => store.resetAll?.() };
}
