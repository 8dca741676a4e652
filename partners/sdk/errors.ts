import type { components } from './contract/messaging-api.js';

/**
 * The SDK's error family. Every failure of a call to Glasshouse is one of these:
 * - `GlasshouseApiError`: the messaging API answered with an error (RFC 9457 problem details);
 * - `GlasshouseTokenError`: the token endpoint refused a grant (RFC 6749 §5.2 body);
 * - `GlasshouseUnreachableError`: no HTTP answer at all (connection refused, timeout, DNS).
 */
export class GlasshouseError extends Error {
  override name = 'GlasshouseError';
}

/**
 * RFC 9457 problem details, as the messaging API sends them (`application/problem+json`): `type` a
 * URI whose last path segment is the stable code (e.g. `.../invalid_token`), `title`, `status` (same
 * as the response's), `detail` (safe to show), and extension members such as `scope` on
 * `insufficient_scope`. The generated wire contract's type (`./contract/messaging-api.ts`).
 */
export type Problem = components['schemas']['Problem'];

/** `error="…"` of a `WWW-Authenticate: Bearer …` header (RFC 6750 §3), if any. */
export function bearerError(header: string | null | undefined): string | undefined {
  return header ? /error="([^"]+)"/.exec(header)?.[1] : undefined;
}

/**
 * The API answered 4xx/5xx. `status` is the HTTP status; `problem` the parsed body (synthesised
 * from the status when the body was not problem details); `code` the stable code: the bearer error
 * of `WWW-Authenticate` when present (`invalid_token`, `insufficient_scope`, `invalid_client`),
 * otherwise the last segment of `problem.type` (`not_found`, `validation_failed`…).
 */
export class GlasshouseApiError extends GlasshouseError {
  override name = 'GlasshouseApiError';
  readonly code: string;
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** The raw `WWW-Authenticate` header, if the API sent one. */
    readonly wwwAuthenticate?: string,
  ) {
    super(`${status} ${problem.title}: ${problem.detail}`);
    this.code = bearerError(wwwAuthenticate) ?? problem.type.split('/').pop() ?? 'error';
  }
  /** 401: the token is missing, expired, revoked, or its client is shut down. */
  get isUnauthorized(): boolean {
    return this.status === 401;
  }
  /** The scope a 403 `insufficient_scope` names, if any. */
  get requiredScope(): string | undefined {
    return typeof this.problem['scope'] === 'string' ? this.problem['scope'] : undefined;
  }
}

/**
 * The token endpoint refused (RFC 6749 §5.2) or failed: `status` is the HTTP status (400/401 for a
 * refusal, 5xx when the platform failed: then `error` is `server_error` unless it said otherwise);
 * `error` is e.g. `invalid_grant` (a code that expired or was used; a refresh token revoked or
 * expired: the person must log in again) or `invalid_client` (the client is unknown, its secret
 * wrong, or it has been shut down); `grantType` the grant that was refused
 * (`authorization_code`, `refresh_token`…), when known.
 */
export class GlasshouseTokenError extends GlasshouseError {
  override name = 'GlasshouseTokenError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorDescription?: string,
    readonly grantType?: string,
  ) {
    super(`token endpoint: ${error}${errorDescription ? ` (${errorDescription})` : ''}`);
  }
}

/** No HTTP answer from `url` (refused, reset, timed out). `cause` holds the network error. */
export class GlasshouseUnreachableError extends GlasshouseError {
  override name = 'GlasshouseUnreachableError';
  constructor(
    readonly url: string,
    options: { cause?: unknown } = {},
  ) {
    super(`Glasshouse is unreachable at ${url}`, options);
  }
}
