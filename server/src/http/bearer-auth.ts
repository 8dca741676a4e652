import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { AppError, InsufficientScopeError, InvalidTokenError } from '../errors.js';
import type { AccessTokenInfo, TokenService } from '../oauth/token-service.js';

declare global {
  namespace Express {
    interface Locals {
      /** Set by `bearerAuth`: what the request's access token stands for. */
      token?: AccessTokenInfo;
      /** Set by `bearerAuth`: SHA-256 of the access token (rate-limit key; never the token itself). */
      tokenKey?: string;
    }
  }
}

/** SHA-256 of a token (base64url): how the rate limit and injected faults know a token without keeping it. */
export function tokenKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** RFC 6750 §2.1: `Authorization: Bearer <b64token>`. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), if well formed. */
export function bearerOf(header: string | undefined): string | undefined {
  return BEARER.exec(header ?? '')?.[1];
}

/** RFC 6750 §3.1: a request with no credentials gets a bare challenge, without an error code. */
export class MissingTokenError extends AppError {
  constructor() {
    super(401, 'unauthorized', 'This endpoint needs an OAuth 2.0 access token: Authorization: Bearer <token>');
  }
}

/**
 * Authenticates a request by its bearer token (RFC 6750 §2.1; never from the query string) with the
 * token service, and sets `res.locals.token`. 401 + `WWW-Authenticate: Bearer` (RFC 6750 §3) when the
 * header is missing (no error code), malformed, or the token unknown, expired, revoked or of a client
 * that is shut down (`error="invalid_token"`).
 */
export function bearerAuth(tokens: TokenService, now: () => number): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined || !/^Bearer\b/i.test(header)) throw new MissingTokenError();
    const token = bearerOf(header);
    if (token === undefined) throw new InvalidTokenError('The Authorization header is not a well-formed bearer token');
    const info = await tokens.verify(token);
    if (info.expiresAt <= now()) throw new InvalidTokenError('The access token has expired');
    res.locals.token = info;
    res.locals.tokenKey = tokenKeyOf(token);
    next();
  };
}

/** The verified token of a request that went through `bearerAuth`. */
export function tokenOf(res: Response): AccessTokenInfo {
  const info = res.locals.token;
  if (!info) throw new InvalidTokenError();
  return info;
}

/** 403 `insufficient_scope` naming `scope` (RFC 6750 §3.1) unless the token holds it. */
export function requireScope(scope: string): RequestHandler {
  return (_req, res, next) => {
    if (!tokenOf(res).scopes.includes(scope)) throw new InsufficientScopeError(scope);
    next();
  };
}
