import type { RequestHandler, Router } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import type { Caller, LogAlong, Outcome } from './messaging-service.js';
import type { ApiScope } from '../oauth/scopes.js';

type Schema = z.ZodType | undefined;

/** The sections of the API documentation, in order. */
export const API_TAGS = ['Me', 'Threads', 'Messages'] as const;
export type ApiTag = (typeof API_TAGS)[number];
/** Path and query schemas are objects (zod-openapi turns their keys into parameters). */
type ObjectSchema = z.ZodType<unknown, Record<string, unknown>> | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * One endpoint of the messaging API, described once: the express router (messaging/router.ts) and
 * the OpenAPI document (messaging/openapi.ts) are both built from the same list, so no route goes
 * undocumented and no documented schema differs from the one that parses.
 */
export interface RouteSpec<
  P extends ObjectSchema = ObjectSchema,
  Q extends ObjectSchema = ObjectSchema,
  B extends Schema = Schema,
  R = unknown,
> {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path under `/api/v1`, e.g. `/threads/{threadId}/messages`. */
  path: string;
  operationId: string;
  /** The /docs section (OpenAPI tag) the route is listed under. */
  tag: ApiTag;
  summary: string;
  description: string;
  /** The scope the token must hold (else 403 insufficient_scope). */
  scope: ApiScope;
  params?: P;
  query?: Q;
  /** JSON request body (strict schema): brings 400/413/415 answers. */
  body?: B;
  success: { status: 200 | 201 | 204; description: string; schema?: z.ZodType<R> };
  /** 400/404/409… this route may answer, besides 401, 403 and 429 which every route may. */
  errors: { status: number; description: string }[];
  /**
   * The logic, given the parsed input: a body and the access it amounts to. A write may commit its
   * access-log entry with its own change through `logAlong` (one append, README "Performance");
   * the router then records nothing more.
   */
  handle(input: {
    caller: Caller;
    params: Out<P>;
    query: Out<Q>;
    body: Out<B>;
    logAlong: LogAlong;
  }): Outcome<R> | Promise<Outcome<R>>;
}

/** Type-erased route, for lists of routes. */
export type AnyRoute = RouteSpec<ObjectSchema, ObjectSchema, Schema, unknown>;

/** Checks a route's types against its schemas, then erases them for the route list. */
export function defineRoute<P extends ObjectSchema, Q extends ObjectSchema, B extends Schema, R>(
  spec: RouteSpec<P, Q, B, R>,
): AnyRoute {
  return spec;
}

/** `/threads/{threadId}` → `/threads/:threadId` (express 5 syntax). */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * After the routes of `routes` on `router`: a request to one of their paths with another method is
 * 405 problem details with `Allow` listing the methods the path has (RFC 9110 §15.5.6), rather than
 * the 404 of a path that does not exist; OPTIONS is 204 with that `Allow`. Paths are public (OpenAPI), so this runs before any
 * authentication. `prefix` goes before each path (where the router is not mounted under it), and
 * `before` runs first on each (e.g. the API's headers).
 */
export function refuseOtherMethods(
  router: Router,
  routes: readonly { method: string; path: string }[],
  { prefix = '', before = [] }: { prefix?: string; before?: RequestHandler[] } = {},
): void {
  const allowedByPath = new Map<string, Set<string>>();
  for (const { method, path } of routes) {
    const allowed = allowedByPath.get(path) ?? new Set<string>();
    allowed.add(method.toUpperCase());
    if (method === 'get') allowed.add('HEAD');
    allowedByPath.set(path, allowed);
  }
  for (const [path, allowed] of allowedByPath) {
    const list = [...allowed, 'OPTIONS'].join(', ');
    router.all(prefix + expressPath(path), ...before, (req, res) => {
      res.set('Allow', list);
      // OPTIONS asks which methods the path takes (RFC 9110 §9.3.7): the answer is `Allow`.
      if (req.method === 'OPTIONS') return void res.status(204).end();
      throw new AppError(405, 'method_not_allowed', `This path takes ${list}`);
    });
  }
}
