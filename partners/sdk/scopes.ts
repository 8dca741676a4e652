/**
 * The scopes of the messaging API (RFC 6749 §3.3 scope values), the one list both sides import: the
 * platform's authorization server and resource server (`server/src/oauth/scopes.ts` re-exports it)
 * and partners. It lives in the SDK because it is part of the wire contract and the SDK imports
 * nothing (README, "Layers and the direction of imports").
 */
export const API_SCOPES = [
  'profile',
  'friends:read',
  'messages:read',
  'messages:write',
  'messages:delete',
  'threads:participants',
] as const;

/** One messaging API scope. */
export type ApiScope = (typeof API_SCOPES)[number];
