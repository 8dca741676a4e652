import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Router } from 'express';
import { AppError, NotFoundError } from '../errors.js';
import { problemAt } from '../http/problem.js';
import Provider, { type ErrorOut, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config.js';
import type { EventBus } from '../events.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import type { Store } from '../store/store.js';
import type { Renderer } from '../web/render.js';
import { appsRoutes } from './apps-routes.js';
import { createAuthorizations, type Authorizations } from './authorizations.js';
import { createClientRegistry, type ClientRegistry } from './client-registry.js';
import { docsClient } from './docs-client.js';
import { endpointMethods } from './endpoint-methods.js';
import { interactionRoutes } from './interaction-routes.js';
import { loadOrCreateKeys, persistKeys } from './keys.js';
import { bridgeProviderEvents } from './oauth-events.js';
import { createTokenService } from './oidc-token-service.js';
import { providerConfiguration } from './provider-config.js';
import { apiAudience } from './scopes.js';
import { RequestUndo } from './request-undo.js';
import { storageRefusals } from './storage-refusal.js';
import { dpopReplayRefusals } from './dpop-replay.js';
import { createDeletionRequests } from '../retention/deletion-requests.js';
import type { TokenService } from './token-service.js';

/** The authorization server of one platform instance. */
export interface OAuthServer {
  provider: Provider;
  tokens: TokenService;
  clients: ClientRegistry;
  authorizations: Authorizations;
  /** The messaging API audience (`${PLATFORM_URL}/api/v1`). */
  audience: string;
  /** Path prefix of the authorization endpoint; the web session must run before the provider there. */
  authorizationPath: string;
  /**
   * True for a path oidc-provider answers (README "Log in with Glasshouse"): /auth and /auth/:uid,
   * /token (revocation and introspection under it), /reg and /reg/:id, /request (PAR),
   * /session/end/confirm, /jwks, the RFC 8414 and OIDC discovery documents.
   */
  ownsPath(path: string): boolean;
  /** The provider as a node handler: mount at the root of the express app, after every other route. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Login/consent (/interaction/:uid) and "Apps and websites" (/settings/apps); need the web session. */
  webRoutes(deps: { csrfProtect: RequestHandler; throttle: RequestHandler }): Router[];
  /**
   * The first stored client whose metadata oidc-provider refuses (RFC 7591 §2 fields: a hand-edited
   * data file), as `clients <id>: <why>`, or undefined. Run at start, before listening: without it the
   * platform starts and each login with that client fails (400 `invalid_client_metadata`). Offline:
   * a `sector_identifier_uri` is not fetched again.
   */
  clientsProblem(): Promise<string | undefined>;
  /** Detaches event listeners. */
  close(): void;
}

/**
 * Builds the OAuth 2.0 authorization server ("Log in with Glasshouse", oidc-provider 9) over the
 * platform's store: issuer `PLATFORM_URL`, clients from the `clients` collection, keys from settings.
 */
export function createOAuthServer(deps: {
  config: Config;
  store: Store;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  faults: FaultInjector;
  render: Renderer;
}): OAuthServer {
  const { config, store, events, logger, clock, faults, render } = deps;
  const now = () => clock.now();
  const clients = createClientRegistry(store, events, [docsClient(config.PLATFORM_URL)]);
  const authorizations = createAuthorizations(store, events, now);
  const audience = apiAudience(config.PLATFORM_URL);
  /** The platform's error page for what the provider cannot send back to a client; `client_id` unverified. */
  const renderError = (ctx: KoaContextWithOIDC, out: ErrorOut) => {
    const clientId = ctx.query['client_id'];
    const client = typeof clientId === 'string' ? clients.get(clientId) : undefined;
    const reason =
      client?.status === 'shut_down'
        ? `${client.name} has been shut down and can no longer connect to Glasshouse`
        : (out.error_description ?? 'The request was refused');
    ctx.type = 'html';
    ctx.body = render.eta.render('error', {
      csrf: '',
      title: 'That did not work',
      heading: 'This sign-in cannot continue',
      detail: `${reason} (${out.error}).`,
    });
  };
  const keys = loadOrCreateKeys(store, logger);
  const undo = new RequestUndo(store);
  const provider = new Provider(
    config.PLATFORM_URL,
    providerConfiguration({ config, store, clients, authorizations, keys, clock, faults, renderError }),
  );
  // Outermost: a write the store refuses is 503 + Retry-After at every endpoint, and gives back what
  // the request consumed before it (storage-refusal.ts).
  provider.use(storageRefusals(renderError, undo, dpopReplayRefusals(provider)));
  // RFC 8414 / OIDC Discovery: `sid` is only issued with the logout features, which are off
  // (README "OAuth 2.0"); oidc-provider lists it by default. A post-middleware is its documented hook.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.oidc?.route === 'discovery' ? (ctx.body as { claims_supported?: string[] }) : undefined;
    if (body?.claims_supported) body.claims_supported = body.claims_supported.filter((claim) => claim !== 'sid');
  });
  // A path the provider does not have, or a method it has no route for on one of its endpoints
  // (GET /token, POST /jwks): Koa's bare text 404 becomes the platform's problem details, a 404 or
  // a 405 with `Allow` (RFC 9110 §15.5.6); OPTIONS without a CORS preflight is 204 with `Allow`.
  const allowedAt = endpointMethods(provider);
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined) return;
    const allow = allowedAt(ctx.path);
    if (allow) ctx.set('Allow', allow);
    if (allow && ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    const refusal =
      allow && !allow.split(', ').includes(ctx.method)
        ? new AppError(405, 'method_not_allowed', `${ctx.path} takes ${allow}`)
        : new NotFoundError(`${ctx.method} ${ctx.path} is not an endpoint of the authorization server`);
    ctx.status = refusal.status;
    ctx.type = 'application/problem+json';
    ctx.body = JSON.stringify(problemAt(refusal, ctx.originalUrl));
  });
  const detachEvents = bridgeProviderEvents({ provider, events, authorizations, logger, now });
  // A reset world starts from the seed's settings: keep signing with (and persisting) the same keys.
  const detachReset = events.on('world.reset', () => persistKeys(store, keys, logger));
  const tokens = createTokenService({
    provider,
    store,
    clients,
    authorizations,
    events,
    clock,
    audience,
    publicUrl: config.PLATFORM_URL,
    undo,
  });
  // Its route table, asked of the provider itself: the endpoints of the features provider-config.ts
  // enables (revocation and introspection live under /token), and the fixed discovery paths.
  const endpointPaths = [
    ...['authorization', 'token', 'registration', 'pushed_authorization_request', 'end_session_confirm', 'jwks'].map(
      (name) => provider.pathFor(name),
    ),
    '/.well-known/oauth-authorization-server',
    '/.well-known/openid-configuration',
  ];
  const deletionRequests = createDeletionRequests({ issuer: config.PLATFORM_URL, store, authorizations, events, now });
  return {
    provider,
    tokens,
    clients,
    authorizations,
    audience,
    authorizationPath: provider.pathFor('authorization'),
    ownsPath: (path) => endpointPaths.some((p) => path === p || path.startsWith(`${p}/`)),
    handler: provider.callback(),
    webRoutes: ({ csrfProtect, throttle }) => [
      interactionRoutes({
        provider,
        store,
        clients,
        authorizations,
        events,
        now,
        render,
        csrfProtect,
        throttle,
        audience,
        undo,
      }),
      appsRoutes({
        store,
        clients,
        authorizations,
        render,
        csrfProtect,
        revokeGrant: (grantId) => tokens.revokeGrant(grantId),
        narrowGrant: (grantId, keep) => tokens.narrowGrant(grantId, keep),
        deletionRequests,
      }),
    ],
    async clientsProblem() {
      for (const client of store.all('clients')) {
        try {
          // Without `sector_identifier_uri`: oidc-provider would fetch it (OIDC Registration §5), and a
          // start must not depend on another host; it was fetched and checked at registration.
          const { sector_identifier_uri: _fetched, ...metadata } = client.metadata;
          await provider.Client.validate({ ...metadata, client_id: client.id });
        } catch (err) {
          const { error_description: why, message } = err as { error_description?: string; message?: string };
          return `clients ${client.id}: ${why ?? message ?? String(err)}`;
        }
      }
      return undefined;
    },
    close() {
      undo.close();
      detachEvents();
      detachReset();
    },
  };
}
