/**
 * One error family for the whole platform. `detail` is public (sent to the caller); `cause` is private
 * (logged only). Serialised in one place: `http/problem.ts` (RFC 9457) and the OAuth error renderer.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** Stable machine-readable code, also the problem `type` suffix. */
    readonly code: string,
    /** Public, human-readable explanation. */
    readonly detail: string,
    options: { cause?: unknown; extra?: Record<string, unknown> } = {},
  ) {
    super(detail, { cause: options.cause });
    this.extra = options.extra ?? {};
  }
  /** Extra problem members (RFC 9457 §3.2), e.g. `scope` or `errors`. */
  readonly extra: Record<string, unknown>;
}

export class BadRequestError extends AppError {
  constructor(detail: string, extra?: Record<string, unknown>) {
    super(400, 'bad_request', detail, { extra });
  }
}

/** Request body or parameters failed schema validation; `errors` lists each field. */
export class ValidationError extends AppError {
  constructor(errors: { path: string; message: string }[]) {
    super(400, 'validation_failed', errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '), {
      extra: { errors },
    });
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'Not found') {
    super(404, 'not_found', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string, code = 'forbidden') {
    super(403, code, detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string) {
    super(409, 'conflict', detail);
  }
}

/**
 * RFC 6750 §3.1 `invalid_token`: missing, malformed, expired or revoked access token. `scheme` is the
 * one the request used (the error goes into that scheme's `WWW-Authenticate` challenge, RFC 9449 §7.1).
 */
export class InvalidTokenError extends AppError {
  constructor(
    detail = 'The access token is missing, invalid, expired or revoked',
    readonly realm = 'glasshouse',
    readonly scheme: 'Bearer' | 'DPoP' = 'Bearer',
  ) {
    super(401, 'invalid_token', detail);
  }
}

/** RFC 6750 §3.1 `insufficient_scope`: the token is valid but lacks `scope`. */
export class InsufficientScopeError extends AppError {
  constructor(
    readonly scope: string,
    /** The scheme the request used: its challenge carries the error (RFC 9449 §7.1). */
    readonly scheme: 'Bearer' | 'DPoP' = 'Bearer',
  ) {
    super(403, 'insufficient_scope', `This request needs the scope "${scope}"`, { extra: { scope } });
  }
}

export class TooManyRequestsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many requests; retry after ${retryAfterSeconds} s`);
  }
}

/**
 * A failure an admin injected (README "Time, faults and expiry for testers"): sent as is, with
 * `Retry-After` when given, never logged as a server error.
 */
export class InjectedFaultError extends AppError {
  constructor(
    status: number,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(status, 'injected_fault', `Injected fault: this call was answered ${status} on purpose by a tester`);
  }
}
