import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type oas31 } from 'zod-openapi';
import { accessLogQuerySchema } from '../audit/access-log-query.js';
import { problemSchema } from '../messaging/schemas.js';
import {
  accessLogResponseSchema, adminMessageSchema, adminPersonSchema, clientParamsSchema, clientSchema, clientStatusBodySchema, exposureQuerySchema,
  exposureResponseSchema, policyBodySchema, resetResponseSchema, revokeBodySchema, threadParamsSchema, tokenRequestSchema, tokenResponseSchema,
} from './admin-schemas.js';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });
const common = { '401': problem('Missing or wrong admin token (WWW-Authenticate: Bearer)') };

function op(summary: string, description: string, extra: Partial<ZodOpenApiOperationObject>, ok: Record<string, unknown>): ZodOpenApiOperationObject {
  return { summary, description, tags: ['Admin'], security: [{ admin: [] }], responses: { ...ok, ...common }, ...extra } as ZodOpenApiOperationObject;
}

/** The admin API's operations: `/admin` path → method → operation. The route test checks the router against it. */
export const adminOperations = {
  '/reset': { post: op('Reset the world', 'Back to the seed: people, threads, messages, clients; every grant and token gone.', {}, { '200': json(resetResponseSchema, 'Counts after the reset') }) },
  '/tokens': { post: op('Mint tokens', 'Tokens for (person, client, scopes) exactly as if the person had consented; the grant shows on their Apps page.',
    { requestBody: { required: true, content: { 'application/json': { schema: tokenRequestSchema } } } },
    { '200': json(tokenResponseSchema, 'RFC 6749 §5.1 token response'), '400': problem('Invalid body or scope'), '403': problem('Client shut down'), '404': problem('Unknown person or client') }) },
  '/grants/revoke': { post: op('Revoke a grant', "Revokes the person's grant to the client and every token of it.",
    { requestBody: { required: true, content: { 'application/json': { schema: revokeBodySchema } } } },
    { '204': { description: 'Revoked' }, '404': problem('No current grant') }) },
  '/access-log': { get: op('Read the access log', 'Entries newest last; filters combine.', { requestParams: { query: accessLogQuerySchema } }, { '200': json(accessLogResponseSchema, 'Matching entries') }) },
  '/exposure': { get: op('Exposure report', 'Per client (all, or `clientId`), or for one person (`username`): who was seen, bystanders, messages read/written/deleted, scopes granted vs used.',
    { requestParams: { query: exposureQuerySchema } }, { '200': json(exposureResponseSchema, 'Exposure'), '404': problem('Unknown client or person') }) },
  '/policy': { put: op('Switch the policy mode', '`broad` (2018) or `least-privilege`, at run time.',
    { requestBody: { required: true, content: { 'application/json': { schema: policyBodySchema } } } }, { '200': json(policyBodySchema, 'The mode now in force'), '400': problem('Unknown mode') }) },
  '/people': { get: op('List people', 'Every person of the world (id, username, display name), to map usernames to ids.', {}, { '200': json(z.object({ people: z.array(adminPersonSchema) }), 'People, in store order') }) },
  '/clients': { get: op('List clients', 'Registered OAuth clients and their status.', {}, { '200': json(z.object({ clients: z.array(clientSchema) }), 'Clients') }) },
  '/clients/{clientId}': { patch: op('Shut a client down or bring it back', 'Shutting down stops its tokens at once (API 401, sockets closed) and refuses its consent page.',
    { requestParams: { path: clientParamsSchema }, requestBody: { required: true, content: { 'application/json': { schema: clientStatusBodySchema } } } },
    { '200': json(clientSchema, 'The client'), '400': problem('Invalid status'), '404': problem('Unknown client') }) },
  '/threads/{threadId}/messages': { get: op("Read a thread's messages", 'Every message of a thread, for test assertions.',
    { requestParams: { path: threadParamsSchema } }, { '200': json(z.object({ messages: z.array(adminMessageSchema) }), 'Messages, oldest first'), '404': problem('Unknown thread') }) },
} as const;

/** OpenAPI 3.1 document of the admin API (served at `GET /admin/openapi.json`, rendered at `/docs/admin`). */
export function buildAdminOpenApiDocument(): oas31.OpenAPIObject {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Glasshouse admin API (for testers and educators)',
      version: '1.0.0',
      description: 'Deterministic state for testers: reset, tokens without a browser, access log, exposure, policy and client status. `Authorization: Bearer $ADMIN_TOKEN` (printed at start). Errors are RFC 9457 problem details.',
    },
    servers: [{ url: '/admin' }],
    components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN' } } },
    paths: adminOperations as unknown as Record<string, Record<string, ZodOpenApiOperationObject>>,
  });
}
