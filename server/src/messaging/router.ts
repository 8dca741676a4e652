import type { Request, RequestHandler, Router } from 'express';
import type { AccessRecord, AccessRecorder } from '../audit/access-recorder.js';
import type { AccessDraft } from './messaging-service.js';
import { apiFaultGate } from '../faults/api-fault-gate.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { apiHeaders } from '../http/api-headers.js';
import { bearerAuth, requireScope, tokenOf } from '../http/bearer-auth.js';
import { InsufficientScopeError, InvalidTokenError } from '../errors.js';
import { jsonBody, noBody } from '../http/json-body.js';
import type { TokenService } from '../oauth/token-service.js';
import { parseInput } from '../http/validate.js';
import { preconditionFailure } from '../http/preconditions.js';
import { expressPath, refuseOtherMethods, type AnyRoute } from './route-spec.js';
import type { LogAlong } from './messaging-service.js';
import { StoreWriteError } from '../store/store-errors.js';

/** Where the messaging API is mounted. */
export const API_BASE = '/api/v1';

export interface MessagingRouterDeps {
  routes: AnyRoute[];
  tokens: TokenService;
  audit: AccessRecorder;
  /** Per-token rate limit, after authentication (http/rate-limit.ts). */
  rateLimit: RequestHandler;
  /** `Idempotency-Key` on POSTs (messaging/idempotency.ts). */
  idempotency: RequestHandler;
  /** Injected faults (faults/), applied right after authentication. */
  faults: FaultInjector;
  /** Told about a change made durable whose access-log entry the storage then refused (see below). */
  onUnrecorded?: (access: object, err: unknown) => void;
  /** Answers the public `GET /openapi.json` (no token), with the API's headers. */
  openApiDocument: RequestHandler;
}

/**
 * Checks again, once the body is read (and any injected latency passed), that the bearer token authenticated before it is still live
 * and still holds `scope` (in memory: `TokenService.isLive`, then its verified facts).
 * @throws InvalidTokenError (401), InsufficientScopeError (403)
 */
function stillAuthorized(tokens: TokenService, scope: string): RequestHandler {
  return (_req, res, next) => {
    const presented = res.locals.presented!;
    if (!tokens.isLive(presented.token))
      throw new InvalidTokenError('The access token was revoked or has expired', 'glasshouse', presented.scheme);
    const refuse = () => new InsufficientScopeError(scope, presented.scheme);
    // Synchronous when the token's facts are at hand (every call but the first after a restart): it runs on every call.
    const scopes = tokens.scopesNow(presented.token);
    if (scopes) return scopes.includes(scope) ? next() : next(refuse());
    tokens.verify(presented.token).then((info) => next(info.scopes.includes(scope) ? undefined : refuse()), next);
  };
}

/**
 * Whether a read is answered without its body: a HEAD, or a 304 for `If-None-Match: *`, a
 * precondition express honours (RFC 9110 §9.3.2, §13.1.2).
 */
const answersWithoutBody = (req: Request) =>
  req.method === 'HEAD' ||
  // express's req.fresh reads and parses both fields: only asked for when one was sent.
  ((req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined) && req.fresh);

/**
 * The access of a read answered without its body: the partner learns that the resource exists and
 * receives nothing of it, so no message nor person; of the threads, only the one it named in the path.
 */
function bodilessRead(access: AccessDraft, params: Request['params']): AccessDraft {
  return {
    ...access,
    threadIds: access.threadIds.filter((id) => id === params['threadId']),
    messageIds: [],
    peopleIncluded: [],
  };
}

/**
 * The express side of the route list, on `router` (the app's own: each router a request passes
 * costs its own dispatch, README "Performance"), every path under `API_BASE`. Each route runs, in
 * order: the API's headers, bearer authentication (401),
 * an injected fault if a tester set one (faults/api-fault-gate.ts), the per-token rate limit (429),
 * the scope check (403), the JSON body reader (415/413/400) for routes with a body, the token and
 * scope checked again once it is read (401/403),
 * `Idempotency-Key` on POSTs (messaging/idempotency.ts: replay, 409, 422), parsing of path, query
 * and body (400), the route's logic (404/403…), HTTP preconditions (412, http/preconditions.ts: a write's
 * before its commit), then the
 * access-log entry, durable before the response is sent. Responses carry `API_HEADERS`. Refused
 * requests change nothing.
 */
export function routeMessagingApi(
  router: Router,
  { routes, tokens, audit, rateLimit, idempotency, faults, onUnrecorded, openApiDocument }: MessagingRouterDeps,
): void {
  const authenticate = bearerAuth(tokens);
  router.get(`${API_BASE}/openapi.json`, apiHeaders, openApiDocument);
  for (const route of routes) {
    const operation = `${route.method.toUpperCase()} ${API_BASE}${route.path}`;
    const run: RequestHandler = async (req, res) => {
      const token = tokenOf(res);
      const caller = { clientId: token.clientId, personId: token.personId };
      const accessOf = (draft: AccessDraft): AccessRecord => ({
        ...draft,
        clientId: caller.clientId,
        ownerId: caller.personId,
        scope: route.scope,
        operation,
        channel: 'api' as const,
        ...(res.locals.injected ? { injected: res.locals.injected } : {}),
      });
      // A write commits its entry in the same journal line as its change (one append, durable or
      // refused together); then it is answered with nothing more to wait for.
      // HTTP preconditions are answered only once the request would otherwise succeed: a write's right
      // before its commit (where its entry goes along), a read's once it is served (RFC 9110 §13.2.1).
      const refused = preconditionFailure(req);
      let loggedAlong = false;
      const logAlong: LogAlong = (draft) => {
        if (refused) throw refused;
        const entry = audit.entryFor(accessOf(draft));
        loggedAlong = true;
        return { ops: () => [{ op: 'put', c: 'accessLog', v: entry }], durable: () => audit.announce([entry]) };
      };
      const outcome = await route.handle({
        caller,
        params: parseInput(route.params, req.params, 'path'),
        query: parseInput(route.query, req.query, 'query'),
        body: parseInput(route.body, req.body, 'body'),
        logAlong,
      });
      if (refused) throw refused;
      // Otherwise logged in order at once; the answer waits for the store's next group commit (shared
      // by every call in flight: no disk write of its own), so nothing is answered without its entry.
      if (!loggedAlong) {
        const access = accessOf(
          route.method === 'get' && answersWithoutBody(req) ? bodilessRead(outcome.access, req.params) : outcome.access,
        );
        try {
          await audit.record(access);
        } catch (err) {
          // A read sends nothing without its entry (503). A write is durable already: a 503 would say it
          // was refused when it is stored (README "Data and storage"), so it is answered, and the gap reported.
          if (route.method === 'get' || !(err instanceof StoreWriteError)) throw err;
          onUnrecorded?.(access, err);
        }
      }
      if (route.success.status === 204) res.status(204).end();
      else if (outcome.json !== undefined) res.status(route.success.status).type('json').send(outcome.json);
      else res.status(route.success.status).json(outcome.body);
    };
    // The token was checked before an injected latency and before the body arrived, either of which
    // may take minutes: a revocation, an expiry, a shutdown, a reset or a narrowed grant meanwhile
    // holds for every call, reads too (checked again last; a GET or DELETE reads a chunked body to
    // its end too, even an empty one).
    const bodyReader = [...(route.body ? jsonBody() : [noBody]), stillAuthorized(tokens, route.scope)];
    const faultGate = apiFaultGate(faults, audit, { method: route.method, scope: route.scope, operation });
    const once = route.method === 'post' ? [idempotency] : [];
    router[route.method](
      API_BASE + expressPath(route.path),
      apiHeaders,
      authenticate,
      faultGate,
      rateLimit,
      requireScope(route.scope),
      ...bodyReader,
      ...once,
      run,
    );
  }
  refuseOtherMethods(router, [...routes, { method: 'get', path: '/openapi.json' }], {
    prefix: API_BASE,
    before: [apiHeaders],
  });
}
