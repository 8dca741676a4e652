import type { Router } from 'express';
import type { AccessRecorder } from '../audit/access-recorder.js';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { tokenRateLimit } from '../http/rate-limit.js';
import type { TokenService } from '../oauth/token-service.js';
import type { SocialService } from '../social/social-service.js';
import type { Store } from '../store/store.js';
import { DOCS_CLIENT_ID, docsRedirectUri } from '../oauth/docs-client.js';
import { apiDocsRouter } from './docs.js';
import { createMessagingService } from './messaging-service.js';
import { createIdempotency } from './idempotency.js';
import { buildOpenApiDocument } from './openapi.js';
import { API_BASE, routeMessagingApi } from './router.js';
import { messagingRoutes } from './routes.js';

export interface MessagingApiDeps {
  config: Config;
  store: Store;
  social: SocialService;
  tokens: TokenService;
  audit: AccessRecorder;
  clock: Clock;
  faults: FaultInjector;
  /** OAuth 2.0 endpoints, for the document's security scheme (absolute URLs). */
  oauthEndpoints: { authorizationUrl: string; tokenUrl: string };
  /** See MessagingRouterDeps.onUnrecorded. */
  onUnrecorded?: (access: object, err: unknown) => void;
}

export interface MessagingApi {
  /**
   * Adds the routes, each under `API_BASE` (`/api/v1`), and `GET /api/v1/openapi.json` (public) to
   * `router`: the app's own, so that an API call passes one router (README "Performance").
   */
  route(router: Router): void;
  /** Mount at `/docs`: Swagger UI over the document. */
  docs: Router;
  /**
   * Forgets every rate-limit window and Idempotency-Key (no timer to stop): at close, and at a world
   * reset (the windows run on the platform clock, which the reset sets back; a replayed answer would
   * come from the world before).
   */
  close(): void;
}

/**
 * The messaging API for partners, assembled: service, route list, per-token rate limit
 * (`API_RATE_LIMIT` requests per `API_RATE_WINDOW_SECONDS`), the OpenAPI 3.1 document generated
 * from the same route list, and its rendered docs.
 */
export function createMessagingApi(deps: MessagingApiDeps): MessagingApi {
  const { config, store, social, tokens, audit, clock, faults } = deps;
  const now = () => clock.now();
  const routes = messagingRoutes(createMessagingService({ store, social }));
  const rateLimit = { limit: config.API_RATE_LIMIT, windowSeconds: config.API_RATE_WINDOW_SECONDS };
  const limiter = tokenRateLimit({ ...rateLimit, clock });
  const idempotency = createIdempotency(now);
  // Built on first request, not per platform: generating it is about half of createPlatform's time,
  // and sandboxes (one per test) rarely ask for it. test/messaging/openapi.test.ts builds it.
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;

  const route = (router: Router) =>
    routeMessagingApi(router, {
      routes,
      tokens,
      audit,
      rateLimit: limiter.middleware,
      idempotency: idempotency.middleware,
      faults,
      onUnrecorded: deps.onUnrecorded,
      // Served outside helmet like every API answer, so with the API's headers.
      openApiDocument: (_req, res) => {
        document ??= buildOpenApiDocument({ routes, rateLimit, ...deps.oauthEndpoints });
        res.json(document);
      },
    });
  const docsOAuth = { clientId: DOCS_CLIENT_ID, redirectUrl: docsRedirectUri(config.PLATFORM_URL) };
  const close = () => {
    limiter.close();
    idempotency.clear();
  };
  return { route, docs: apiDocsRouter(`${API_BASE}/openapi.json`, undefined, docsOAuth), close };
}
