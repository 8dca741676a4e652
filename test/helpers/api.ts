import { API_SCOPES } from '../../server/src/oauth/scopes.js';
import type { Store } from '../../server/src/store/store.js';
import type { RunningPlatform } from './platform.js';

/** Every scope of the messaging API. */
export const ALL_SCOPES: string[] = [...API_SCOPES];

/** The public contract (README, "Messaging API for partners"): every endpoint, a concrete request alice may make, and its scope. */
export const ENDPOINTS: {
  name: string;
  method: 'get' | 'post' | 'delete';
  path: string;
  scope: string;
  body?: object;
  ok: number;
}[] = [
  { name: 'GET /me', method: 'get', path: '/api/v1/me', scope: 'profile', ok: 200 },
  { name: 'GET /me/friends', method: 'get', path: '/api/v1/me/friends', scope: 'friends:read', ok: 200 },
  { name: 'GET /threads', method: 'get', path: '/api/v1/threads', scope: 'messages:read', ok: 200 },
  {
    name: 'GET /threads/{threadId}/messages',
    method: 'get',
    path: '/api/v1/threads/g_weekend/messages',
    scope: 'messages:read',
    ok: 200,
  },
  {
    name: 'GET /threads/{threadId}/participants',
    method: 'get',
    path: '/api/v1/threads/g_weekend/participants',
    scope: 'threads:participants',
    ok: 200,
  },
  {
    name: 'POST /threads/{threadId}/messages',
    method: 'post',
    path: '/api/v1/threads/g_weekend/messages',
    scope: 'messages:write',
    body: { text: 'Now playing' },
    ok: 201,
  },
  {
    name: 'POST /me/messages',
    method: 'post',
    path: '/api/v1/me/messages',
    scope: 'messages:write',
    body: { to: 'p_bob', text: 'Now playing' },
    ok: 201,
  },
  {
    name: 'DELETE /messages/{messageId}',
    method: 'delete',
    path: '/api/v1/messages/m_0002',
    scope: 'messages:delete',
    ok: 204,
  },
];

/** An access token for `username` and `clientId`, minted as if they had consented to `scopes`. */
export async function tokenFor(
  gh: RunningPlatform,
  username: string,
  scopes: string[] = ALL_SCOPES,
  clientId = 'tunewave',
): Promise<string> {
  const person = gh.store.personByUsername(username);
  if (!person) throw new Error(`no person ${username}`);
  return (await gh.platform.tokens.issue({ personId: person.id, clientId, scopes })).access_token;
}

/** Revokes the grant behind `token` (as "Apps and websites" does). */
export async function revoke(gh: RunningPlatform, token: string): Promise<void> {
  await gh.platform.tokens.revokeGrant((await gh.platform.tokens.verify(token)).grantId);
}

/** The whole store as text, to assert that a refused request changed nothing. */
export function stateOf(store: Store): string {
  return JSON.stringify(store.snapshot());
}
