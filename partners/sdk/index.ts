/**
 * Glasshouse SDK: a typed client for the messaging API (`createGlasshouseClient`), the `/partners`
 * socket (`connectPartnerSocket`), OAuth discovery and token requests, the platform's access policy
 * (`getPolicyMode`), and the error family. Testers' tools (sandbox, admin client, scenarios) live in
 * `server/testkit/`.
 */
export { createGlasshouseClient, allPages, newerThan, apiErrorOf, type GlasshouseClient, type GlasshouseClientOptions, type WriteOptions } from './client.js';
export { connectPartnerSocket, whenConnected, type PartnerSocket, type PartnerSocketOptions } from './socket.js';
export { discover, DISCOVERY_PATH, type AuthorizationServerMetadata } from './discovery.js';
export { getPolicyMode, POLICY_PATH, type PolicyMode } from './policy.js';
export { requestToken, basicAuthorization, type TokenSet, type ClientCredentials } from './tokens.js';
export { API_SCOPES, type ApiScope } from './scopes.js';
export { GlasshouseError, GlasshouseApiError, GlasshouseTokenError, GlasshouseUnreachableError, bearerError, type Problem } from './errors.js';
export type { Person, Message, Thread, Page, PageQuery, NewMessage, NowPlaying, NowPlayingInput, PartnerServerToClientEvents } from './types.js';
