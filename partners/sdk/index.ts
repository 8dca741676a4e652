/**
 * Glasshouse SDK: a typed client for the messaging API (`createGlasshouseClient`), the `/partners`
 * socket (`connectPartnerSocket`), its OAuth client on oauth4webapi (discovery, code exchange with
 * the RFC 9207 `iss` check, refresh, `client_secret_basic`), the platform's access policy
 * (`getPolicyMode`), and the error family. Helpers for a partner's own web server are in `web-server/`. Testers' tools (sandbox, admin client, scenarios) live in
 * `server/testkit/`.
 */
export {
  createGlasshouseClient,
  allPages,
  newerThan,
  apiErrorOf,
  type GlasshouseClient,
  type GlasshouseClientOptions,
  type WriteOptions,
} from './client.js';
export {
  connectPartnerSocket,
  whenConnected,
  type FollowingSocket,
  type PartnerClientToServerEvents,
  type PartnerSocket,
  type PartnerSocketOptions,
} from './socket.js';
export { followMessages, type CatchUpOptions, type MessageMark } from './catch-up.js';
export { discover, DISCOVERY_PATH, type AuthorizationServerMetadata } from './discovery.js';
export { getPolicyMode, POLICY_PATH, type PolicyMode } from './policy.js';
export { retryAfterSeconds, type RetryPolicy } from './retry.js';
export {
  readAuthorizationResponse,
  GlasshouseIssuerError,
  type AuthorizationResponse,
} from './authorization-response.js';
export {
  exchangeCode,
  refreshTokens,
  requestToken,
  basicAuthorization,
  type TokenSet,
  type ClientCredentials,
  type TokenRequestOptions,
} from './tokens.js';
export { createDPoPKey, DPOP_ALG, type DPoPKey } from './dpop.js';
export { API_SCOPES, type ApiScope } from './scopes.js';
export {
  GlasshouseError,
  GlasshouseApiError,
  GlasshouseTokenError,
  GlasshouseUnreachableError,
  bearerError,
  type Problem,
} from './errors.js';
export type {
  Person,
  Message,
  Thread,
  Page,
  PageQuery,
  NewMessage,
  NowPlaying,
  NowPlayingInput,
  PartnerServerToClientEvents,
} from './types.js';
