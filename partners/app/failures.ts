import type { ErrorRequestHandler, Request, Response } from 'express';
import { ZodError } from 'zod';
import { CsrfError } from './csrf.js';
import {
  GlasshouseApiError,
  GlasshouseError,
  GlasshouseIssuerError,
  GlasshouseTokenError,
  GlasshouseUnreachableError,
} from '../sdk/index.js';

/**
 * What went wrong, as a person meets it. Each kind has one page (or redirect) in `failure-pages.ts`:
 * - `consent_denied`: the person pressed "Deny" on the Glasshouse consent screen;
 * - `bad_state`: the callback's `state` is missing, wrong, too old or already used (possible CSRF);
 * - `wrong_issuer`: the callback's RFC 9207 `iss` is missing or not the platform (mix-up attack);
 * - `authorization_error`: the platform sent another OAuth error to the callback;
 * - `login_expired`: the code was refused at the exchange (`invalid_grant`: expired or used), or the
 *   platform refused the access token we hold (401) with no refresh to try: log in again;
 * - `revoked`: a refresh was refused with `invalid_grant` — the grant was revoked (only this);
 * - `login_required`: a page that needs a logged-in person was asked for without one;
 * - `shut_down`: a refresh was refused with `invalid_client`: the credentials that logged the
 *   person in are no longer accepted, the integration is off;
 * - `misconfigured`: the code exchange was refused with `invalid_client` (wrong client secret or
 *   id), or any other token error (`invalid_request`, `unauthorized_client`…): our set-up is wrong;
 * - `platform_error`: the platform answered 5xx (token endpoint or API);
 * - `unreachable`: no answer from the platform;
 * - `insufficient_scope`, `not_found`: the API refused one thing; `bad_gateway`: it answered oddly;
 * - `forbidden_by_policy`: the platform's least-privilege policy refused it (403);
 * - `refused`: any other 4xx from the API (except 401), shown with the platform's status;
 * - `bad_request`: the request was malformed (our validation, or a body that does not parse);
 * - `too_large`: the body (or its number of fields) is over our limit; `csrf`: a form without a valid token;
 * - `not_http`: a request the HTTP layer refused before any route (a method not allowed or not known,
 *   a request that did not arrive in time, an unmet `Expect`), answered with that status;
 * - `internal`: anything else (logged, never shown).
 */
export type FailureKind =
  | 'consent_denied'
  | 'bad_state'
  | 'wrong_issuer'
  | 'authorization_error'
  | 'login_expired'
  | 'revoked'
  | 'login_required'
  | 'shut_down'
  | 'misconfigured'
  | 'platform_error'
  | 'unreachable'
  | 'insufficient_scope'
  | 'not_found'
  | 'bad_gateway'
  | 'forbidden_by_policy'
  | 'refused'
  | 'bad_request'
  | 'too_large'
  | 'not_http'
  | 'csrf'
  | 'internal';

/** A failure found by our own code (not thrown by the SDK), carrying its kind. */
export class PartnerFailure extends Error {
  override name = 'PartnerFailure';
  constructor(
    readonly kind: FailureKind,
    /** Public detail (e.g. the OAuth `error_description`); shown escaped. */
    readonly detail?: string,
  ) {
    super(detail ?? kind);
  }
}

/** A caller's mistake found by Express's body parsers (http-errors with a `type`, e.g. `entity.too.large`) or its router (a malformed escape in the path). */
interface BodyParserError {
  type: string;
  status: number;
}

/**
 * Body-parser errors caused by the caller (4xx); their 5xx (`stream.not.readable`…) are ours. A body
 * that cannot be decoded (e.g. `Content-Encoding: gzip` over data that is not gzip) comes as an
 * exposed http-error 400 without a `type`: `body.undecodable` here.
 */
function bodyParserError(err: unknown): BodyParserError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, status, expose } = err as Partial<Record<'type' | 'status' | 'expose', unknown>>;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (typeof type === 'string') return { type, status };
  // The router's own: a path parameter that is not valid percent-encoding (`/seen/threads/%ff`).
  if (err instanceof URIError) return { type: 'uri.malformed', status };
  return expose === true ? { type: 'body.undecodable', status } : undefined;
}

/** Bodies over a limit: too many bytes, or too many form fields. */
const TOO_LARGE_TYPES: ReadonlySet<string> = new Set(['entity.too.large', 'parameters.too.many']);

/**
 * A token-endpoint error by RFC 6749 §5.2 `error`, HTTP status and the grant that was refused:
 * the same `invalid_grant` means "log in again" for a code and "revoked" for a refresh token.
 */
function classifyTokenError(err: GlasshouseTokenError): FailureKind {
  if (err.status >= 500) return 'platform_error';
  const atLogin = err.grantType === 'authorization_code';
  if (err.error === 'invalid_grant') return atLogin ? 'login_expired' : 'revoked';
  if (err.error === 'invalid_client' && !atLogin) return 'shut_down';
  return 'misconfigured';
}

/** A messaging-API error by HTTP status and code (RFC 6750 §3 bearer error or problem type). */
function classifyApiError(err: GlasshouseApiError): FailureKind {
  if (err.code === 'invalid_client') return 'shut_down';
  if (err.status === 401) return 'login_expired';
  if (err.code === 'insufficient_scope') return 'insufficient_scope';
  if (err.code === 'forbidden_by_policy') return 'forbidden_by_policy';
  if (err.status === 404) return 'not_found';
  if (err.status >= 500) return 'platform_error';
  return err.status < 400 ? 'bad_gateway' : 'refused';
}

/** Sorts anything thrown into a `FailureKind`. */
export function classify(err: unknown): FailureKind {
  if (err instanceof PartnerFailure) return err.kind;
  if (err instanceof ZodError) return 'bad_request';
  if (err instanceof CsrfError) return 'csrf';
  if (err instanceof GlasshouseUnreachableError) return 'unreachable';
  if (err instanceof GlasshouseIssuerError) return 'wrong_issuer';
  if (err instanceof GlasshouseTokenError) return classifyTokenError(err);
  if (err instanceof GlasshouseApiError) return classifyApiError(err);
  if (err instanceof GlasshouseError) return 'bad_gateway';
  const parserError = bodyParserError(err);
  if (parserError) return TOO_LARGE_TYPES.has(parserError.type) ? 'too_large' : 'bad_request';
  return 'internal';
}

/** Public detail of a failure, if it has one worth showing. */
export function publicDetail(err: unknown): string | undefined {
  if (err instanceof PartnerFailure) return err.detail;
  if (err instanceof GlasshouseApiError) return err.problem.detail;
  return undefined;
}

/**
 * The status to answer with when it is not the kind's own: the platform's for `refused`, the body
 * parser's for `too_large` (413) and the parser's other 4xx (e.g. 415 `charset.unsupported`).
 */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof GlasshouseApiError && classify(err) === 'refused') return err.status;
  if (err instanceof PartnerFailure) return undefined;
  return bodyParserError(err)?.status;
}

/** Kinds after which the person's tokens are useless: forget them and end the session. */
export const ENDS_SESSION: ReadonlySet<FailureKind> = new Set(['login_expired', 'revoked', 'shut_down']);

/** Kinds that are ours or the platform's fault, not the person's: logged with their cause. */
export const LOGGED: ReadonlySet<FailureKind> = new Set([
  'internal',
  'bad_gateway',
  'misconfigured',
  'platform_error',
  'shut_down',
  'wrong_issuer',
]);

export interface FailureResponder {
  /** `status` replaces the kind's own status (e.g. the platform's 409 for `refused`). */
  (req: Request, res: Response, kind: FailureKind, detail?: string, status?: number): Promise<void>;
}

/**
 * The one error middleware of a partner app: classifies, runs `onSessionEnded` for kinds that end
 * the session, and lets `respond` draw the page (or JSON for `fetch` callers). The `LOGGED` kinds
 * are logged with `log` (a configuration error says so there), their causes never shown.
 */
export function failureHandler(deps: {
  respond: FailureResponder;
  onSessionEnded: (req: Request, kind: FailureKind) => Promise<void>;
  log: (err: unknown) => void;
}): ErrorRequestHandler {
  return async (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const kind = classify(err);
    if (LOGGED.has(kind)) deps.log(err);
    if (ENDS_SESSION.has(kind)) await deps.onSessionEnded(req, kind);
    await deps.respond(req, res, kind, publicDetail(err), statusOf(err));
  };
}
