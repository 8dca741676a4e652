import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit, type AugmentedRequest } from 'express-rate-limit';
import { TooManyRequestsError } from '../errors.js';

export interface TokenRateLimit {
  middleware: RequestHandler;
  /** Stops the store's cleanup timer. */
  close(): void;
}

/**
 * At most `limit` requests per access token per `windowSeconds` (after `bearerAuth`, keyed by the
 * token's hash). Over the limit: 429 problem details with `Retry-After` (RFC 9110 §10.2.3) and the
 * IETF `RateLimit` / `RateLimit-Policy` headers (draft 7) on every response.
 */
export function tokenRateLimit({ limit, windowSeconds }: { limit: number; windowSeconds: number }): TokenRateLimit {
  const store = new MemoryStore();
  const windowMs = windowSeconds * 1000;
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
  return { middleware, close: () => store.shutdown() };
}
