import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { AppError, InsufficientScopeError, InvalidTokenError } from '../errors.js';
import type { AccessTokenInfo, TokenPresentation, TokenService } from '../oauth/token-service.js';

declare global {
  namespace Express {
    interface Locals {
      /** Set by `bearerAuth`: what the request's access token stands for. */
      token?: AccessTokenInfo;
      /** Set by `bearerAuth`: SHA-256 of the access token (rate-limit key; never the token itself). */
      tokenKey?: string;
      /** Set by `bearerAuth`: the token as presented (scheme and value), to check it again later. */
      presented?: { scheme: TokenPresentation['scheme']; token: string };
    }
  }
}

/** SHA-256 of a token (base64url): how the rate limit and injected faults know a token without keeping it. */
export function tokenKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** RFC 6750 §2.1 / RFC 9449 §7.1: `Authorization: Bearer|DPoP <token68>`. */
const CREDENTIALS = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Scheme and token of an `Authorization: Bearer <token>` or `DPoP <token>` header, if well formed. */
export function credentialsOf(
  header: string | undefined,
): { scheme: TokenPresentation['scheme']; token: string } | undefined {
  const match = CREDENTIALS.exec(header ?? '');
  if (!match) return undefined;
  return { scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2]! };
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), if well formed. */
export function bearerOf(header: string | undefined): string | undefined {
  const credentials = credentialsOf(header);
  return credentials?.scheme === 'Bearer' ? credentials.token : undefined;
}

/** RFC 6750 §3.1: a request with no credentials gets a bare challenge, without an error code. */
export class MissingTokenError extends AppError {
  constructor(
    detail = 'This endpoint needs an OAuth 2.0 access token: Authorization: Bearer <token> (or DPoP <token> with a DPoP proof)',
    /** The challenge's realm: `glasshouse` (the messaging API: Bearer and DPoP) or another (Bearer only). */
    readonly realm = 'glasshouse',
  ) {
    super(401, 'unauthorized', detail);
  }
}

/**
 * Authenticates a request by its access token (RFC 6750 §2.1 `Bearer`, or RFC 9449 §7.1 `DPoP` with
 * a `DPoP` proof header; never from the query string) with `TokenService.authenticate`, and sets
 * `res.locals.token`. 401 + `WWW-Authenticate: Bearer …, DPoP algs="…"` (RFC 6750 §3, RFC 9449 §7.1)
 * when the header is missing (no error code), malformed, the token unknown, expired, revoked or of a
 * client that is shut down (`invalid_token`), a DPoP-bound token sent as Bearer (`invalid_token`), or
 * the proof wrong (`invalid_dpop_proof`).
 */
export function bearerAuth(tokens: TokenService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined || !/^(Bearer|DPoP)\b/i.test(header)) throw new MissingTokenError();
    const credentials = credentialsOf(header);
    if (credentials === undefined)
      throw new InvalidTokenError('The Authorization header is not a well-formed Bearer or DPoP token');
    const info = await tokens.authenticate({
      ...credentials,
      proof: req.get('dpop'),
      method: req.method,
      path: req.originalUrl,
    });
    res.locals.token = info;
    res.locals.tokenKey = info.tokenKey;
    res.locals.presented = credentials;
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
  return (req, res, next) => {
    if (!tokenOf(res).scopes.includes(scope))
      throw new InsufficientScopeError(scope, credentialsOf(req.get('authorization'))?.scheme);
    next();
  };
}
