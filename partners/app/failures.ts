import type { ErrorRequestHandler, Request, Response } from 'express';
import OAuth2Strategy from 'passport-oauth2';
import { ZodError } from 'zod';
import { CsrfError } from './csrf.js';
import { GlasshouseApiError, GlasshouseError, GlasshouseTokenError, GlasshouseUnreachableError } from '../sdk/index.js';

/**
 * What went wrong, as a person meets it. Each kind has one page (or redirect) in `failure-pages.ts`:
 * - `consent_denied`: the person pressed "Deny" on the Glasshouse consent screen;
 * - `bad_state`: the callback's `state` is missing, wrong or already used (possible CSRF);
 * - `authorization_error`: the platform sent another OAuth error to the callback;
 * - `revoked`: the token no longer works and refreshing it was refused (`invalid_grant`) or impossible;
 * - `shut_down`: the platform refuses this client itself (`invalid_client`): the integration is off;
 * - `unreachable`: no answer from the platform;
 * - `insufficient_scope`, `not_found`: the API refused one thing; `bad_gateway`: it answered oddly;
 * - `bad_request`: our own validation refused the request; `csrf`: a form without a valid token;
 * - `internal`: anything else (logged, never shown).
 */
export type FailureKind =
  | 'consent_denied'
  | 'bad_state'
  | 'authorization_error'
  | 'revoked'
  | 'shut_down'
  | 'unreachable'
  | 'insufficient_scope'
  | 'not_found'
  | 'bad_gateway'
  | 'bad_request'
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

/** Unwraps passport-oauth2's wrapper around errors of the token request. */
function unwrap(err: unknown): unknown {
  return err instanceof OAuth2Strategy.InternalOAuthError && err.oauthError ? err.oauthError : err;
}

/** Sorts anything thrown into a `FailureKind`. */
export function classify(thrown: unknown): FailureKind {
  const err = unwrap(thrown);
  if (err instanceof PartnerFailure) return err.kind;
  if (err instanceof ZodError) return 'bad_request';
  if (err instanceof CsrfError) return 'csrf';
  if (err instanceof GlasshouseUnreachableError) return 'unreachable';
  if (err instanceof GlasshouseTokenError) return err.error === 'invalid_client' || err.error === 'unauthorized_client' ? 'shut_down' : 'revoked';
  if (err instanceof GlasshouseApiError) {
    if (err.code === 'invalid_client') return 'shut_down';
    if (err.status === 401) return 'revoked';
    if (err.code === 'insufficient_scope') return 'insufficient_scope';
    if (err.status === 404) return 'not_found';
    return err.status >= 500 ? 'bad_gateway' : 'internal';
  }
  if (err instanceof GlasshouseError) return 'bad_gateway';
  return 'internal';
}

/** Public detail of a failure, if it has one worth showing. */
export function publicDetail(thrown: unknown): string | undefined {
  const err = unwrap(thrown);
  if (err instanceof PartnerFailure) return err.detail;
  if (err instanceof GlasshouseApiError) return err.problem.detail;
  return undefined;
}

/** Kinds after which the person's tokens are useless: forget them and end the session. */
export const ENDS_SESSION: ReadonlySet<FailureKind> = new Set(['revoked', 'shut_down']);

export interface FailureResponder {
  (req: Request, res: Response, kind: FailureKind, detail?: string): Promise<void>;
}

/**
 * The one error middleware of a partner app: classifies, runs `onSessionEnded` for kinds that end
 * the session, and lets `respond` draw the page (or JSON for `fetch` callers). 5xx causes are
 * logged with `log`, never shown.
 */
export function failureHandler(deps: {
  respond: FailureResponder;
  onSessionEnded: (req: Request) => Promise<void>;
  log: (err: unknown) => void;
}): ErrorRequestHandler {
  return async (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const kind = classify(err);
    if (kind === 'internal' || kind === 'bad_gateway') deps.log(err);
    if (ENDS_SESSION.has(kind)) await deps.onSessionEnded(req);
    await deps.respond(req, res, kind, publicDetail(err));
  };
}
