import { NotFoundError } from '../errors.js';
import type { TokenTarget } from '../oauth/token-service.js';
import { defineAdminRoute, type AnyAdminRoute } from './admin-route.js';
import {
  endedSchema,
  revokeBodySchema,
  tokenRequestSchema,
  tokenResponseSchema,
  tokenTargetSchema,
} from './admin-schemas.js';
import { knownClient, personByUsername, type AdminWorldDeps } from './admin-world-routes.js';
import { authorizationId } from '../store/row-ids.js';

const targetNote =
  'Target: `{ token }` (one access or refresh token), `{ username, clientId }` (that grant), `{ clientId }` (every grant of the client) or `{ grantId }`.';
const notFound = { status: 404, description: 'Unknown person, client, grant or live token' };

/**
 * Tokens without a browser, and their end on demand (README "Time, faults and expiry for testers"):
 * mint (with a chosen lifetime), revoke a person's grant, expire or revoke a token, grant or client now.
 */
export function adminTokenRoutes({ store, tokens }: AdminWorldDeps): AnyAdminRoute[] {
  /** The body's target in TokenService terms. @throws NotFoundError */
  const targetOf = (body: {
    token?: string | undefined;
    username?: string | undefined;
    clientId?: string | undefined;
    grantId?: string | undefined;
  }): TokenTarget => {
    if (body.token) return { token: body.token };
    if (body.grantId) return { grantId: body.grantId };
    knownClient(store, body.clientId!);
    if (!body.username) return { clientId: body.clientId! };
    const person = personByUsername(store, body.username);
    const row = store.get('authorizations', authorizationId(person.id, body.clientId!));
    if (!row?.grantId || row.revokedAt !== undefined)
      throw new NotFoundError(`${body.username} has no current grant for ${body.clientId}`);
    return { grantId: row.grantId };
  };
  return [
    defineAdminRoute({
      method: 'post',
      path: '/tokens',
      operationId: 'mintToken',
      summary: 'Mint tokens',
      description:
        "Tokens for (person, client, scopes) exactly as if the person had consented; the grant shows on their Apps page. `expiresIn` (seconds) sets the access token's lifetime (default 3600).",
      body: tokenRequestSchema,
      success: { status: 200, description: 'RFC 6749 §5.1 token response', schema: tokenResponseSchema },
      errors: [
        { status: 403, description: 'Client shut down' },
        { status: 404, description: 'Unknown person or client' },
      ],
      handle({ body }) {
        const person = personByUsername(store, body.username);
        knownClient(store, body.clientId);
        return tokens.issue({
          personId: person.id,
          clientId: body.clientId,
          scopes: body.scopes,
          expiresIn: body.expiresIn,
        });
      },
    }),
    defineAdminRoute({
      method: 'post',
      path: '/grants/revoke',
      operationId: 'revokeGrant',
      summary: 'Revoke a grant',
      description:
        "Revokes the person's grant to the client and every token of it (as the person would on their Apps page).",
      body: revokeBodySchema,
      success: { status: 204, description: 'Revoked' },
      errors: [{ status: 404, description: 'No current grant' }],
      async handle({ body }) {
        const target = targetOf({ username: body.username, clientId: body.clientId });
        await tokens.revokeGrant((target as { grantId: string }).grantId);
      },
    }),
    defineAdminRoute({
      method: 'post',
      path: '/tokens/expire',
      operationId: 'expireTokens',
      summary: 'Expire tokens now',
      description: `As if their lifetime had passed: API calls get 401 \`invalid_token\`, a refresh with an expired refresh token \`invalid_grant\`; partner sockets holding them close. For a grant or client, its access tokens expire and its refresh tokens keep working (to test a partner's refresh). ${targetNote}`,
      body: tokenTargetSchema,
      success: { status: 200, description: 'How many tokens expired', schema: endedSchema },
      errors: [notFound],
      handle: async ({ body }) => ({ count: await tokens.expire(targetOf(body)) }),
    }),
    defineAdminRoute({
      method: 'post',
      path: '/tokens/revoke',
      operationId: 'revokeTokens',
      summary: 'Revoke tokens now',
      description: `One token only (its grant and other tokens stay), or the grant(s) with every code and token issued under them. ${targetNote}`,
      body: tokenTargetSchema,
      success: {
        status: 200,
        description: 'How many tokens (for a token) or grants were revoked',
        schema: endedSchema,
      },
      errors: [notFound],
      handle: async ({ body }) => ({ count: await tokens.revoke(targetOf(body)) }),
    }),
  ];
}
