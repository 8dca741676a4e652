import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { Request, Response } from 'express';
import { ENDS_SESSION, type FailureKind, type FailureResponder } from './failures.js';
import type { Renderer } from './render.js';
import {
  answerConnect,
  answerContinue,
  answerExpectation,
  answerParserRefusals,
  answerUpgrades,
  serverWideRequests,
  type ParserRefusal,
} from '../sdk/web-server/index.js';

interface PageSpec {
  status: number;
  heading: string;
  /** `{name}` is replaced by the partner's name. */
  message: string;
  /** Offer to try the same page again (for passing problems). */
  retry?: boolean;
  /** Offer to log in again. */
  login?: boolean;
}

const PAGES: Record<Exclude<FailureKind, 'revoked'>, PageSpec> = {
  consent_denied: {
    status: 403,
    heading: 'You did not allow {name}',
    message:
      'You chose not to give {name} access to your Glasshouse account, so you are not logged in. Nothing was shared.',
    login: true,
  },
  bad_state: {
    status: 400,
    heading: 'This login could not be verified',
    message:
      'The answer from Glasshouse does not belong to a login started here (it is missing, expired or already used), so {name} refused it. Please start again.',
    login: true,
  },
  wrong_issuer: {
    status: 400,
    heading: 'This login did not come from Glasshouse',
    message:
      'The answer to this login does not say it comes from Glasshouse (RFC 9207 issuer check), so {name} refused it. Please start again.',
    login: true,
  },
  login_expired: {
    status: 400,
    heading: 'That login expired',
    message: 'Glasshouse no longer accepts that login (it is too old or was already used). Please try again.',
    login: true,
  },
  authorization_error: {
    status: 400,
    heading: 'Glasshouse did not log you in',
    message: 'Glasshouse answered the login with an error.',
    login: true,
  },
  shut_down: {
    status: 503,
    heading: 'This integration has been shut down',
    message:
      'Glasshouse no longer accepts {name} as a partner: its access to your account has been switched off, and {name} can no longer read or send messages for you.',
  },
  misconfigured: {
    status: 500,
    heading: '{name} is not set up correctly',
    message:
      'Glasshouse refused {name} itself: its client id or secret (or another setting) is wrong. This is a configuration error on our side; it has been logged for the operator. Nothing about your account changed.',
  },
  platform_error: {
    status: 502,
    heading: 'Glasshouse is not answering',
    message: 'Glasshouse answered {name} with an error of its own. Try again in a moment.',
    retry: true,
  },
  unreachable: {
    status: 503,
    heading: 'Glasshouse is not answering',
    message: '{name} could not reach Glasshouse. It may be starting or stopped; try again in a moment.',
    retry: true,
  },
  insufficient_scope: {
    status: 403,
    heading: '{name} was not allowed to do that',
    message: 'Glasshouse refused: the access you granted does not cover this.',
  },
  forbidden_by_policy: {
    status: 403,
    heading: 'Glasshouse refused',
    message: 'Glasshouse did not let {name} do this for you: its least-privilege policy is in force.',
  },
  refused: { status: 400, heading: 'Glasshouse refused', message: 'Glasshouse did not let {name} do that.' },
  not_found: { status: 404, heading: 'Not found', message: 'There is nothing here, or nothing {name} may see.' },
  bad_gateway: {
    status: 502,
    heading: 'Glasshouse gave an unexpected answer',
    message: 'Please try again.',
    retry: true,
  },
  bad_request: { status: 400, heading: 'That request was not valid', message: 'Please go back and try again.' },
  login_required: {
    status: 401,
    heading: 'Please log in',
    message: 'Log in with Glasshouse to use {name}.',
    login: true,
  },
  too_large: {
    status: 413,
    heading: 'That request was too large',
    message: 'It carried more than {name} accepts. Please go back and try again with less.',
  },
  not_http: {
    status: 400,
    heading: 'That request could not be served',
    message: 'It was not a request {name} can answer. Please go back and try again.',
  },
  csrf: {
    status: 403,
    heading: 'This form has expired',
    message: 'The form was not sent by {name}, or it is too old. Reload the page and try again.',
    retry: true,
  },
  internal: {
    status: 500,
    heading: 'Something went wrong',
    message: 'Something went wrong on our side. Please try again.',
    retry: true,
  },
};

/** Where a person goes after their access was revoked: the landing page, with a notice. */
export const REVOKED_LOCATION = '/?notice=revoked';

/** The problem details of `revoked` for `fetch` callers (browsers are redirected instead). */
const REVOKED: PageSpec = {
  status: 401,
  heading: 'Your access was revoked',
  message: 'You removed {name} from your Glasshouse account, so you are logged out of {name}.',
};

/** Where problem details send the caller (`redirect`): home with a notice after a revocation, home when the session ended or there is none. */
const redirectOf = (kind: FailureKind): string | undefined =>
  kind === 'revoked' ? REVOKED_LOCATION : ENDS_SESSION.has(kind) || kind === 'login_required' ? '/' : undefined;

/** Kinds whose public detail (the platform's words, or ours) is worth showing. */
const SHOWS_DETAIL: ReadonlySet<FailureKind> = new Set([
  'authorization_error',
  'insufficient_scope',
  'forbidden_by_policy',
  'refused',
  'bad_request',
  'not_http',
]);

/**
 * The page the person came from (path and query of a same-host `Referer`), so a refused form is not
 * a dead end; undefined for other hosts, unparsable values and the failing page itself.
 */
export function backPath(req: Request): string | undefined {
  const referer = req.get('referer');
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    const back = url.pathname + url.search;
    return url.host === req.get('host') && back !== req.originalUrl ? back : undefined;
  } catch {
    return undefined;
  }
}

/** `fetch` callers (the player's script) get JSON, browsers get pages. */
function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

const fillName = (name: string) => (s: string) => s.replaceAll('{name}', name);

/**
 * The RFC 9457 problem details of a failure `kind` answered with `status`: `{ title, status, detail,
 * error, message, redirect? }`, where `error` is the kind, `message` the page's text and `detail` that
 * text followed by `shownDetail`; `redirect` where the kind sends the caller (`redirectOf`).
 */
function failureProblem(name: string, kind: FailureKind, status: number, shownDetail?: string): object {
  const fill = fillName(name);
  const spec = kind === 'revoked' ? REVOKED : PAGES[kind];
  const message = fill(spec.message);
  const redirect = redirectOf(kind);
  return {
    title: fill(spec.heading),
    status,
    detail: shownDetail ? `${message} ${shownDetail}` : message,
    error: kind,
    message,
    ...(redirect ? { redirect } : {}),
  };
}

/** The kind of a refusal of the HTTP layer by its status: 413, 414, 431 are `too_large`, 400 `bad_request`, the others (405, 408, 417, 501, 505) `not_http`. */
function refusalKind(status: number): FailureKind {
  if ([413, 414, 431].includes(status)) return 'too_large';
  return status === 400 ? 'bad_request' : 'not_http';
}

/** A refusal of the HTTP layer as the app's problem details (`refusalKind`), with the refusal's status and detail. */
const refusalProblem = (name: string) => (refusal: ParserRefusal) =>
  failureProblem(name, refusalKind(refusal.status), refusal.status, `${refusal.detail}.`);
/**
 * The partner app's `clientError` listener: a request node:http's parser refuses (headers or target
 * over the limit, bytes that are not HTTP/1.1) is answered with the app's problem details and its
 * connection closed.
 */
export const answerPartnerParserRefusals = (name: string) => answerParserRefusals(refusalProblem(name));
/** A CONNECT request to a partner app: 405 problem details (it is no proxy), not a silent close. */
export const answerPartnerConnect = (name: string) => answerConnect(refusalProblem(name));
/** An `Expect` other than 100-continue on a partner app: 417 problem details, not node's bare status. */
export const answerPartnerExpectation = (name: string) => answerExpectation(refusalProblem(name));
/** A partner app's `checkContinue` listener for `server`: `100 Continue` only when that is the one expectation, else 417. */
export const answerPartnerContinue = (name: string, server: EventEmitter) =>
  answerContinue(server, refusalProblem(name));

/**
 * A partner app's `upgrade` listener on `server` (`answerUpgrades`): it speaks no other protocol, so a
 * request with `Upgrade` is answered over HTTP/1.1 by `app`, in order, or refused with the app's
 * problem details when it carries a body (node dropped what was pipelined after it).
 */
export const answerPartnerUpgrades = (name: string, server: http.Server, app: http.RequestListener) =>
  answerUpgrades(server, app, refusalProblem(name));

/** First middleware of a partner app: `OPTIONS *` and other asterisk-form requests (RFC 9112 §3.2.4). */
export const answerPartnerServerWide = (name: string) => serverWideRequests(refusalProblem(name));

/**
 * Draws each failure kind: `fetch` callers get RFC 9457 problem details (`failureProblem`: `{ title,
 * status, detail, error, message, redirect? }`); browsers get an error page, except after a
 * revocation (303 to the landing page with a notice) — never a stack trace.
 */
export function failureResponder(render: Renderer, name: string): FailureResponder {
  return async (req: Request, res: Response, kind: FailureKind, detail?: string, status?: number) => {
    const fill = fillName(name);
    const shownDetail = SHOWS_DETAIL.has(kind) && detail ? fill(detail) : undefined;
    if (wantsJson(req)) {
      const code = status ?? (kind === 'revoked' ? REVOKED : PAGES[kind]).status;
      res
        .status(code)
        .type('application/problem+json')
        .json(failureProblem(name, kind, code, shownDetail));
      return;
    }
    if (kind === 'revoked') {
      res.redirect(303, REVOKED_LOCATION);
      return;
    }
    const spec = PAGES[kind];
    const code = status ?? spec.status;
    const retryUrl = req.method === 'GET' ? req.originalUrl : '/';
    await render.page(
      req,
      res,
      'failure',
      {
        title: fill(spec.heading),
        kind,
        heading: fill(spec.heading),
        message: fill(spec.message),
        detail: shownDetail,
        retryUrl: spec.retry ? retryUrl : undefined,
        loginUrl: spec.login ? '/auth/login' : undefined,
        backUrl: backPath(req),
      },
      code,
    );
  };
}
