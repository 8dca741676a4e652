import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, InvalidTokenError, InsufficientScopeError, NotFoundError, TooManyRequestsError } from '../errors.js';
import { StoreWriteError } from '../store/store-errors.js';

/** Base of problem `type` URIs; each code has a section in the API docs. */
const TYPE_BASE = 'https://glasshouse.example/problems/';

/** RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Maps anything thrown to an AppError; errors from body-parser keep their 4xx status. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (e.type === 'entity.parse.failed') return new AppError(400, 'malformed_json', 'The request body is not valid JSON');
    if (e.type === 'entity.too.large') return new AppError(413, 'body_too_large', 'The request body is too large');
    return new AppError(status, 'bad_request', e.message ?? 'Bad request');
  }
  return new AppError(500, 'internal_error', 'Something went wrong on our side', { cause: err });
}

/** RFC 9457 body for `err` at `req`. */
export function problemOf(err: AppError, req: Request): Problem {
  return {
    type: TYPE_BASE + err.code,
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.detail,
    instance: req.originalUrl.split('?')[0], // never echo the query (it may carry an access_token)
    ...err.extra,
  };
}

/** Sends `err` as `application/problem+json`, with the RFC 6750 §3 and RFC 9110 headers it implies. */
export function sendProblem(res: Response, req: Request, err: AppError): void {
  if (err instanceof InvalidTokenError) {
    res.set('WWW-Authenticate', `Bearer realm="${err.realm}", error="invalid_token", error_description="${err.detail}"`);
  } else if (err.status === 401) {
    res.set('WWW-Authenticate', 'Bearer realm="glasshouse"');
  } else if (err instanceof InsufficientScopeError) {
    res.set('WWW-Authenticate', `Bearer realm="glasshouse", error="insufficient_scope", scope="${err.scope}"`);
  }
  // 429 and 503 (a write the storage refused) say when to retry (RFC 9110 §10.2.3).
  if (err instanceof TooManyRequestsError || err instanceof StoreWriteError) res.set('Retry-After', String(err.retryAfterSeconds));
  res.status(err.status).type('application/problem+json').send(JSON.stringify(problemOf(err, req)));
}

/** Final 404 for API paths nobody answered. */
export const notFoundHandler: RequestHandler = (req) => {
  throw new NotFoundError(`No route for ${req.method} ${req.originalUrl.split('?')[0]}`);
};

/**
 * The one error middleware: problem details for API/admin paths and JSON callers, an HTML page for
 * browsers (`renderPage` decides how). 5xx messages are logged, never sent.
 */
export function errorHandler(logger: Logger, renderPage?: (res: Response, err: AppError) => void): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const appError = toAppError(err);
    if (appError.status >= 500) logger.error({ err, path: req.path }, 'request failed');
    const wantsHtml = renderPage && !/^\/(api|admin)\b/.test(req.path) && req.accepts(['json', 'html']) === 'html';
    if (wantsHtml) return renderPage(res, appError);
    sendProblem(res, req, appError);
  };
}
