import { Router } from 'express';
import type { Clock } from '../clock/clock.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { adminAuth } from './admin-auth.js';
import { adminRouter, buildAdminOpenApiDocument, type AnyAdminRoute } from './admin-route.js';
import { adminTestingRoutes } from './admin-testing-routes.js';
import { adminTokenRoutes } from './admin-token-routes.js';
import { adminWorldRoutes, type AdminWorldDeps } from './admin-world-routes.js';
import { refuseOtherMethods } from '../messaging/route-spec.js';

export interface AdminDeps extends AdminWorldDeps {
  adminToken: string;
  clock: Clock;
  faults: FaultInjector;
}

/** Every admin route, in the order of the OpenAPI document: world, tokens, then time and faults. */
export function adminRouteList(deps: AdminDeps): AnyAdminRoute[] {
  return [...adminWorldRoutes(deps), ...adminTokenRoutes(deps), ...adminTestingRoutes(deps)];
}

/**
 * The admin API (base `/admin`, `Authorization: Bearer $ADMIN_TOKEN`; 401 problem otherwise), built
 * from one route list (admin-route.ts) like the messaging API: the router and `GET /admin/openapi.json`
 * (public, rendered at `/docs/admin`) cannot disagree. Every answer is `Cache-Control: no-store`.
 */
export function adminRoutes(deps: AdminDeps): Router {
  const routes = adminRouteList(deps);
  const router = Router();
  // Built on first request (as the messaging API's): a sandbox per test need not pay for it.
  let document: ReturnType<typeof buildAdminOpenApiDocument> | undefined;
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get('/openapi.json', (_req, res) => res.json((document ??= buildAdminOpenApiDocument(routes))));
  // Public like the document: another method is 405 with `Allow` (OPTIONS 204) before any token check.
  refuseOtherMethods(router, [{ method: 'get', path: '/openapi.json' }]);
  router.use(adminAuth(deps.adminToken));
  router.use(adminRouter(routes));
  return router;
}
