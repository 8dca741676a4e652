import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import {
  AppError,
  InjectedFaultError,
  InvalidTokenError,
  InsufficientScopeError,
  NotFoundError,
  TooManyRequestsError,
  ValidationError,
} from '../errors.js';
import { DPOP_ALGS, InvalidDpopProofError } from '../oauth/dpop.js';
import { API_HEADERS, isApiPath, setApiHeaders } from './api-headers.js';
import { MissingTokenError } from './bearer-auth.js';
import { StoreWriteError } from '../store/store-errors.js';
import {
  answerConnect,
  answerContinue,
  answerExpectation,
  answerParserRefusals,
  answerRefusal,
  serverWideRequests,
  type ParserRefusal,
} from '../../../partners/sdk/web-server/index.js';
import { upgradeAnswered } from './upgrade-handover.js';

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
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  417: 'Expectation Failed',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** Is `text` JSON at all (what body-parser's strict mode refuses as a top-level `null`, `"hi"` or `42` is)? */
function isJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps anything thrown to an AppError; errors from body-parser keep their 4xx status: 400
 * `malformed_json` for text that is not JSON, 400 `validation_failed` for JSON that is not an object
 * or array (`null`), 413 `body_too_large`, 415 `unsupported_media_type` (a charset or
 * Content-Encoding it cannot read), else 4xx `bad_request`. A refused write that reached us wrapped
 * (oidc-provider's OAuthStorageUnavailable, oauth/storage-refusal.ts, from a route that calls the
 * provider) is that StoreWriteError: 503 `storage_unavailable`. Anything else is a 500.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Error && err.cause instanceof StoreWriteError) return err.cause;
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string; body?: unknown };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (e.type === 'entity.parse.failed' && isJson(e.body))
      return new ValidationError([{ path: '', message: 'must be a JSON object' }]);
    if (e.type === 'entity.parse.failed')
      return new AppError(400, 'malformed_json', 'The request body is not valid JSON');
    if (e.type === 'entity.too.large') return new AppError(413, 'body_too_large', 'The request body is too large');
    if (status === 415) return new AppError(415, 'unsupported_media_type', e.message ?? 'Unsupported media type');
    return new AppError(status, 'bad_request', e.message ?? 'Bad request');
  }
  return new AppError(500, 'internal_error', 'Something went wrong on our side', { cause: err });
}

/** RFC 9457 body for `err` at `req`. */
export function problemOf(err: AppError, req: Request): Problem {
  return problemAt(err, req.originalUrl);
}

/**
 * RFC 9457 body for `err` answering the request for `url` (its query is never echoed: it may carry
 * an access_token); without `url` (a request that could not be read), no `instance`.
 */
export function problemAt(err: AppError, url?: string): Problem {
  return {
    type: TYPE_BASE + err.code,
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.detail,
    ...(url === undefined ? {} : { instance: url.split('?')[0] }),
    ...err.extra,
  };
}

/**
 * An auth-param value as a quoted-string in the characters RFC 6750 §3 allows for `error_description`
 * (printable ASCII without `"` and `\`): quotes become `'`, `§` becomes "section", others go.
 */
const quoted = (value: string) =>
  `"${value
    .replace(/"/g, "'")
    .replace(/§ ?/g, 'section ')
    .replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;

/**
 * `WWW-Authenticate` challenges of a 401/403 (RFC 6750 §3, RFC 9449 §7.1): the messaging API (realm
 * `glasshouse`) accepts both `Bearer` and `DPoP`, so it offers both; the error goes into the
 * challenge of the scheme the request used. Other realms (admin) offer `Bearer` only.
 */
export function authChallenges(err: AppError): string[] {
  const realm = err instanceof InvalidTokenError || err instanceof MissingTokenError ? err.realm : 'glasshouse';
  const withError = (error: string) => `error=${quoted(error)}, error_description=${quoted(err.detail)}`;
  const dpop = (params?: string) => `DPoP algs=${quoted(DPOP_ALGS.join(' '))}${params ? `, ${params}` : ''}`;
  const bearer = (params?: string) => `Bearer realm=${quoted(realm)}${params ? `, ${params}` : ''}`;
  if (err instanceof InvalidDpopProofError) return [dpop(withError('invalid_dpop_proof')), bearer()];
  if (err instanceof InsufficientScopeError) {
    const params = `error="insufficient_scope", scope=${quoted(err.scope)}`;
    return err.scheme === 'DPoP' ? [dpop(params), bearer()] : [bearer(params), dpop()];
  }
  if (err instanceof InvalidTokenError) {
    if (realm !== 'glasshouse') return [bearer(withError('invalid_token'))];
    return err.scheme === 'DPoP'
      ? [dpop(withError('invalid_token')), bearer()]
      : [bearer(withError('invalid_token')), dpop()];
  }
  if (err.status !== 401) return [];
  return realm === 'glasshouse' ? [bearer(), dpop()] : [bearer()];
}

/**
 * 429 and 503 (a write the storage refused, or a fault a tester injected) say when to retry (RFC 9110
 * §10.2.3), whether answered as problem details or as an HTML page.
 */
function setRetryAfter(res: Response, err: AppError): void {
  if (err instanceof TooManyRequestsError || err instanceof StoreWriteError)
    res.set('Retry-After', String(err.retryAfterSeconds));
  else if (err instanceof InjectedFaultError && err.retryAfterSeconds !== undefined)
    res.set('Retry-After', String(err.retryAfterSeconds));
}

/** Sends `err` as `application/problem+json`, with the RFC 6750 §3, RFC 9449 §7.1 and RFC 9110 headers it implies. */
export function sendProblem(res: Response, req: Request, err: AppError): void {
  const challenges = authChallenges(err);
  if (challenges.length) res.set('WWW-Authenticate', challenges.join(', '));
  setRetryAfter(res, err);
  res
    .status(err.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemOf(err, req)));
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
    // A write the storage refused (disk full, a reset in progress) is an expected condition, answered
    // 503 with Retry-After: a warning with its reason; anything else at 5xx is a bug, with its stack.
    if (appError instanceof StoreWriteError) {
      const cause = appError.cause as NodeJS.ErrnoException | undefined;
      logger.warn({ path: req.path, cause: cause?.code ?? cause?.message }, 'write refused');
    } else if (appError.status >= 500 && !(appError instanceof InjectedFaultError))
      logger.error({ err, path: req.path }, 'request failed');
    // Whole segments, any case, as express routes them: `/API/V1/ME` is the API, `/api-docs` is not.
    const api = isApiPath(req.path);
    // Refused before its route's first handler (a path parameter that does not decode): headers here.
    if (api) setApiHeaders(res);
    const wantsHtml =
      renderPage && !api && !/^\/admin(?:\/|$)/i.test(req.path) && req.accepts(['json', 'html']) === 'html';
    if (wantsHtml) {
      setRetryAfter(res, appError);
      return renderPage(res, appError);
    }
    sendProblem(res, req, appError);
  };
}

/**
 * node:http's `clientError` listener of the platform: a request its parser refuses gets the platform's
 * problem details (partners/sdk/parser-refusals.ts; RFC 9110 §15.5.15, RFC 6585 §5) and its connection closed.
 */
/** A refusal made outside express (node's parser, engine.io, an upgrade) as the platform's problem details. */
export const refusalProblem = ({ status, code, detail }: ParserRefusal) =>
  problemAt(new AppError(status, code, detail));
export const answerClientError = answerParserRefusals(refusalProblem, API_HEADERS);
/** node:http's `connect` listener of the platform: a CONNECT request is 405 problem details, not a silent close. */
export const answerConnectRequest = answerConnect(refusalProblem, API_HEADERS);
/** node:http's `checkExpectation` listener of the platform: an `Expect` other than 100-continue is 417 problem details. */
export const answerUnmetExpectation = answerExpectation(refusalProblem, API_HEADERS);
/** node:http's `checkContinue` listener of the platform's `server`: `100 Continue` only when that is the one expectation, else 417. */
export const answerContinueRequest = (server: EventEmitter) => answerContinue(server, refusalProblem, API_HEADERS);

/** What engine.io's `connection_error` event says of a request it is about to refuse. */
export interface EngineRefusal {
  req: IncomingMessage & { res?: ServerResponse };
  /** engine.io's words for its error code, e.g. "Transport unknown". */
  message: string;
  /** `message`: the reason given, when engine.io has one. */
  context?: { message?: unknown };
}

/**
 * engine.io's `connection_error` listener: engine.io answers the requests it refuses on `/socket.io/`
 * itself (an unknown transport, session id or protocol version, a bad handshake method) with its own JSON, or text/html for an upgrade. The event comes just before,
 * so the refusal is answered here: 400 problem details with the API's headers, as every refusal
 * before a route; engine.io, finding the response committed (or the socket ended), writes nothing more.
 */
export function answerEngineRefusal({ req, message, context }: EngineRefusal): void {
  // engine.io checks a WebSocket's protocol version once the upgrade is done (its 101 sent): an HTTP
  // answer written now would land inside the WebSocket stream. The connection is only closed.
  if (!req.res && upgradeAnswered(req)) return void req.socket.destroy();
  const reason = typeof context?.message === 'string' ? context.message : message;
  answerRefusal(
    refusalProblem,
    API_HEADERS,
    { status: 400, code: 'bad_request', detail: `${reason} (engine.io, which carries socket.io, refused the request)` },
    { res: req.res, socket: req.socket },
  );
}

/**
 * First middleware of the platform: `OPTIONS *` and other asterisk-form requests (RFC 9112 §3.2.4),
 * and HTTP/1.1 requests without `Host`, as problem details with the API's headers.
 */
export const answerServerWide = serverWideRequests(refusalProblem, API_HEADERS);
