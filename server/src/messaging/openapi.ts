import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import type { oas31 } from 'zod-openapi';
import { API_BASE } from './router.js';
import { API_TAGS, type AnyRoute } from './route-spec.js';
import { z } from 'zod';
import { problemSchema } from './schemas.js';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_WINDOW_MS } from './idempotency.js';
import { JSON_BODY_LIMIT_BYTES } from '../http/json-body.js';
import type { ApiScope } from '../oauth/scopes.js';

/** What each scope grants, in the API's terms (the consent page words them for people: oauth/scopes.ts). */
const SCOPE_DESCRIPTIONS: Record<ApiScope, string> = {
  profile: "The resource owner's id, username and display name",
  'friends:read': "The resource owner's friends",
  'messages:read': "The resource owner's threads and their messages",
  'messages:write': 'Sending messages as the resource owner, including "now playing" attachments',
  'messages:delete': "Deleting messages in the resource owner's threads",
  'threads:participants': 'Everyone on a thread, including people who never used the partner',
};

export interface OpenApiOptions {
  routes: AnyRoute[];
  /** OAuth 2.0 endpoints the security scheme points to (absolute URLs). */
  authorizationUrl: string;
  tokenUrl: string;
  /** Requests per token per window, as enforced (documented in the description). */
  rateLimit: { limit: number; windowSeconds: number };
}

const problem = (description: string, headers?: Record<string, { description: string }>) => ({
  description,
  ...(headers
    ? {
        headers: Object.fromEntries(
          Object.entries(headers).map(([k, v]) => [
            k,
            { description: v.description, schema: { type: 'string' as const } },
          ]),
        ),
      }
    : {}),
  content: { 'application/problem+json': { schema: problemSchema } },
});

function responsesOf(route: AnyRoute, windowSeconds: number): ZodOpenApiResponsesObject {
  const { status, description, schema } = route.success;
  const responses: ZodOpenApiResponsesObject = {
    [`${status}`]: schema ? { description, content: { 'application/json': { schema } } } : { description },
    '401': problem('Missing, malformed, unknown, expired or revoked token (RFC 6750 §3.1)', {
      'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750 §3)' },
    }),
    '403': problem(`\`insufficient_scope\`: the token lacks \`${route.scope}\``, {
      'WWW-Authenticate': { description: 'Bearer challenge with error="insufficient_scope" and the scope' },
    }),
    '412': problem(
      '`precondition_failed`: `If-Match` with entity tags (the API sends none), or `If-None-Match: *` on a write (RFC 9110 §13.1)',
    ),
    '429': problem(`Over the per-token limit; retry after the given seconds (window ${windowSeconds} s)`, {
      'Retry-After': { description: 'Seconds to wait (RFC 9110 §10.2.3)' },
    }),
  };
  for (const e of route.errors) {
    const key = `${e.status}` as `4${string}`;
    const prior = responses[key];
    const priorText = prior && 'description' in prior ? `${prior.description}; ` : '';
    responses[key] = problem(priorText + e.description);
  }
  if (route.method === 'get') {
    responses['304'] = {
      description:
        '`If-None-Match: *` (RFC 9110 §13.1.2): the resource exists; no body, and nothing of it is logged as read',
    };
  }
  if (route.method === 'post') {
    responses['409'] = problem(
      `\`idempotency_key_in_use\`: a request with this ${IDEMPOTENCY_HEADER} is still running`,
    );
    responses['422'] = problem(`\`idempotency_key_reused\`: this ${IDEMPOTENCY_HEADER} was used for another request`);
  }
  if (route.body) {
    responses['413'] = problem(`Body over ${JSON_BODY_LIMIT_BYTES / 1024} KiB`);
    responses['415'] = problem('Body not sent as application/json');
  }
  return responses;
}

/** HTTP preconditions every route takes (http/preconditions.ts): the API sends no entity tag. */
const preconditionHeaders = {
  'If-Match': z.string().optional().meta({
    description:
      'RFC 9110 §13.1.1: `*` holds (the resource exists); an entity tag never matches, as the API sends none: 412 `precondition_failed`, nothing written.',
  }),
  'If-None-Match': z.string().optional().meta({
    description:
      'RFC 9110 §13.1.2: `*` on a read is answered 304 with no body, and the access log lists no message or person for it (a list of entity tags never matches: 200); on a write, `*` (also within a list) is 412 `precondition_failed`, nothing written.',
  }),
};

/** A POST's headers: the preconditions and `Idempotency-Key`. */
const postHeaders = z.object({
  ...preconditionHeaders,
  [IDEMPOTENCY_HEADER]: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({
      description: `Makes a retry safe (IETF draft-ietf-httpapi-idempotency-key-header): the same key with the same request within ${IDEMPOTENCY_WINDOW_MS / 3_600_000} h returns the first response (with \`Idempotent-Replayed: true\`) without a second write; with another request, 422. Scoped to the client and resource owner. E.g. a UUID.`,
    }),
});

function operationOf(route: AnyRoute, windowSeconds: number): ZodOpenApiOperationObject {
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description}\n\nScope: \`${route.scope}\`.`,
    tags: [route.tag],
    security: [{ glasshouse: [route.scope] }],
    requestParams: {
      ...(route.params ? { path: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      header: route.method === 'post' ? postHeaders : z.object(preconditionHeaders),
    },
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses: responsesOf(route, windowSeconds),
  };
}

/**
 * The OpenAPI 3.1 document of the messaging API, generated from the route list and its zod schemas
 * (zod-openapi). Served at `GET /api/v1/openapi.json`, rendered at `/docs`.
 */
export function buildOpenApiDocument(options: OpenApiOptions): oas31.OpenAPIObject {
  const { routes, rateLimit } = options;
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes)
    paths[route.path] = { ...paths[route.path], [route.method]: operationOf(route, rateLimit.windowSeconds) };
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Glasshouse messaging API for partners',
      version: '1.0.0',
      description: [
        'What partner apps (Tunewave, Reelbox…) may do with the private messages of the people who logged in with Glasshouse.',
        'Authenticate with an OAuth 2.0 access token: `Authorization: Bearer <token>` (RFC 6750). Errors are RFC 9457 problem details.',
        'Policy modes: `broad` (default, as reported in 2018) reaches every thread of the resource owner; `least-privilege` only threads the client has posted into, and deletes only what it sent.',
        `Lists: \`limit\` 1–100 (default 50); keyset cursors \`max_id\` (alias \`before\`: older than, pass \`nextCursor\`), \`since_id\` (newer than, newest first) and \`min_id\` (immediately newer, to walk forward), each a \`nextCursor\`/\`prevCursor\` or the id of an item of that list. A walk by \`nextCursor\` never repeats an item nor misses one that did not change; what moved or arrived meanwhile is returned by \`since_id\`/\`min_id\` = the first page's \`prevCursor\`; a cursor whose item was deleted still works. Rate limit: ${rateLimit.limit} requests per token per ${rateLimit.windowSeconds} s (429 with Retry-After).`,
        'Retries: every POST takes an `Idempotency-Key` header (same key and request within 24 h: the first response again, no second write; same key, other request: 422). Catch-up after a reconnect of the `/partners` socket: read each thread with `since_id`/`min_id` = the last message id seen (a deleted one works too).',
        'Every successful call is recorded in the access log with the people it included and, of those, the bystanders (people who never authorized the client).',
      ].join('\n\n'),
    },
    servers: [{ url: API_BASE }],
    tags: API_TAGS.map((name) => ({ name })),
    components: {
      securitySchemes: {
        glasshouse: {
          type: 'oauth2',
          description: 'Authorization code with PKCE (S256); the access token is sent as a bearer token.',
          flows: {
            authorizationCode: {
              authorizationUrl: options.authorizationUrl,
              tokenUrl: options.tokenUrl,
              scopes: { ...SCOPE_DESCRIPTIONS },
            },
          },
        },
      },
    },
    paths,
  });
}
