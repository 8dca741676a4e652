import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type oas31 } from 'zod-openapi';
import { jsonBody, noBody } from '../http/json-body.js';
import { parseInput } from '../http/validate.js';
import { expressPath, refuseOtherMethods } from '../messaging/route-spec.js';
import { problemSchema } from '../messaging/schemas.js';

type Schema = z.ZodType | undefined;
type ObjectSchema = z.ZodType<unknown, Record<string, unknown>> | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * One endpoint of the admin API, described once (like the messaging API's `defineRoute`,
 * messaging/route-spec.ts): the express router and the OpenAPI document are both built from the
 * same list, so no admin route goes undocumented and no documented schema differs from the parser.
 */
export interface AdminRouteSpec<
  P extends ObjectSchema = ObjectSchema,
  Q extends ObjectSchema = ObjectSchema,
  B extends Schema = Schema,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path under `/admin`, e.g. `/clients/{clientId}`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  params?: P;
  query?: Q;
  /** JSON request body (strict schema): brings 400/413/415 answers. */
  body?: B;
  /** 204 routes answer no body (`handle` resolves to undefined). */
  success: { status: 200 | 204; description: string; schema?: z.ZodType };
  /** Answers besides 401 (every route) and 400 (routes with input). */
  errors: { status: number; description: string }[];
  /** The logic, given the parsed input; resolves to the response body. */
  handle(input: { params: Out<P>; query: Out<Q>; body: Out<B> }): unknown;
}

/** Type-erased admin route, for lists of routes. */
export type AnyAdminRoute = AdminRouteSpec<ObjectSchema, ObjectSchema, Schema>;

/** Checks a route's types against its schemas, then erases them for the route list. */
export function defineAdminRoute<P extends ObjectSchema, Q extends ObjectSchema, B extends Schema>(
  spec: AdminRouteSpec<P, Q, B>,
): AnyAdminRoute {
  return spec as AnyAdminRoute;
}

/** The express side of the list: body reader (415/413/400; a body sent to a route without one: 400), parsing (400), the route's logic. */
export function adminRouter(routes: AnyAdminRoute[]): Router {
  const router = Router();
  for (const route of routes) {
    const run: RequestHandler = async (req, res) => {
      const body = await route.handle({
        params: parseInput(route.params, req.params, 'path'),
        query: parseInput(route.query, req.query, 'query'),
        body: parseInput(route.body, req.body, 'body'),
      });
      if (route.success.status === 204) res.status(204).end();
      else res.status(route.success.status).json(body);
    };
    router[route.method](expressPath(route.path), ...(route.body ? jsonBody() : [noBody]), run);
  }
  refuseOtherMethods(router, routes);
  return router;
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

function operationOf(route: AnyAdminRoute): ZodOpenApiOperationObject {
  const { status, description, schema } = route.success;
  const responses: Record<string, unknown> = {
    [`${status}`]: schema ? { description, content: { 'application/json': { schema } } } : { description },
    '401': problem('Missing or wrong admin token (WWW-Authenticate: Bearer)'),
  };
  if (route.params || route.query || route.body)
    responses['400'] = problem('Invalid path, query or body (RFC 9457 problem with `errors`)');
  for (const e of route.errors) responses[`${e.status}`] = problem(e.description);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    tags: ['Admin'],
    security: [{ admin: [] }],
    ...(route.params || route.query
      ? {
          requestParams: {
            ...(route.params ? { path: route.params } : {}),
            ...(route.query ? { query: route.query } : {}),
          },
        }
      : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses,
  } as ZodOpenApiOperationObject;
}

/** OpenAPI 3.1 document of the admin API from its route list (served at `GET /admin/openapi.json`, rendered at `/docs/admin`). */
export function buildAdminOpenApiDocument(routes: AnyAdminRoute[]): oas31.OpenAPIObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) paths[route.path] = { ...paths[route.path], [route.method]: operationOf(route) };
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Glasshouse admin API (for testers and educators)',
      version: '1.0.0',
      description: [
        'Deterministic state for testers: reset, tokens without a browser (with a chosen lifetime), expiring and revoking tokens on demand, a controllable clock, injected faults, access log, exposure, policy and client status.',
        '`Authorization: Bearer $ADMIN_TOKEN` (printed at start). Errors are RFC 9457 problem details.',
      ].join('\n\n'),
    },
    servers: [{ url: '/admin' }],
    components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN' } } },
    paths,
  });
}
