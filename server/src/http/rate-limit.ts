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
 * At most `limit` requests per client and resource owner per `windowSeconds` (after `bearerAuth`;
 * every access token of the pair shares one budget, so refreshing does not reset it). Over the limit: 429 problem details with `Retry-After` (RFC 9110 §10.2.3) and the
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
    // Per client and resource owner, not per token: a refresh (a new access token) or a second token
    // minted for the same pair must not bring a fresh budget.
    keyGenerator: (_req, res) => {
      const token = res.locals.token as { clientId: string; personId: string } | undefined;
      return token ? `${token.clientId} ${token.personId}` : 'anonymous';
    },
    handler: (req, _res, next) => {
      const reset = (req as Partial<AugmentedRequest>).rateLimit?.resetTime?.getTime();
      next(new TooManyRequestsError(Math.max(1, Math.ceil(((reset ?? Date.now() + windowMs) - Date.now()) / 1000))));
    },
    // The key is a client and a person, never an IP: the IP and proxy checks do not apply.
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false, keyGeneratorIpFallback: false },
  });
  return { middleware, close: () => store.resetAll?.() };
}
