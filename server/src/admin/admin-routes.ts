import { Router } from 'express';
import { queryAccessLog, accessLogQuerySchema } from '../audit/access-log-query.js';
import { jsonBody } from '../http/json-body.js';
import { setPolicyMode } from '../policy/policy-mode.js';
import { parseInput } from '../http/validate.js';
import { adminAuth } from './admin-auth.js';
import { buildAdminOpenApiDocument } from './admin-openapi.js';
import { policyBodySchema } from './admin-schemas.js';
import { adminWorldRoutes, type AdminWorldDeps } from './admin-world-routes.js';

/**
 * The admin API (base `/admin`, `Authorization: Bearer $ADMIN_TOKEN`; 401 problem otherwise). This
 * issue brings:
 * - `PUT /admin/policy` `{ "mode": "broad" | "least-privilege" }` → 200 `{ "mode" }`; persisted in
 *   settings, emits `policy.changed`. 400 for anything else (strict body), 415/413 as the API.
 * - `GET /admin/access-log?clientId&ownerId&action&since&limit` → 200 `{ "entries": AccessEntry[] }`,
 *   newest last (`since` in ms since epoch; `limit` 1–10000, default 1000, the most recent).
 */
export function adminRoutes(deps: { adminToken: string } & AdminWorldDeps): Router {
  const { adminToken, store, events } = deps;
  const router = Router();
  // Built on first request (as the messaging API's): a sandbox per test need not pay for it.
  let document: ReturnType<typeof buildAdminOpenApiDocument> | undefined;
  // The description itself is public, like the messaging API's.
  router.get('/openapi.json', (_req, res) => res.json((document ??= buildAdminOpenApiDocument())));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(adminAuth(adminToken));

  router.put('/policy', ...jsonBody(), async (req, res) => {
    const { mode } = parseInput(policyBodySchema, req.body, 'body');
    await setPolicyMode(store, events, mode);
    res.json({ mode });
  });

  router.get('/access-log', (req, res) => {
    const query = parseInput(accessLogQuerySchema, req.query, 'query');
    res.json({ entries: queryAccessLog(store, query) });
  });

  router.use(adminWorldRoutes(deps));
  return router;
}
