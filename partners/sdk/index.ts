/**
 * Glasshouse SDK: a typed client for the messaging API (`createGlasshouseClient`), the `/partners`
 * socket (`connectPartnerSocket`), OAuth discovery and token requests, the platform's access policy
 * (`getPolicyMode`), and the error family; for testers, the admin API client (`createAdminClient`),
 * in-process sandboxes (`createSandbox`) and, in `./scenario/`, scenario files and their runner.
 */
export { createGlasshouseClient, allPages, apiErrorOf, type GlasshouseClient, type GlasshouseClientOptions } from './client.js';
export { connectPartnerSocket, whenConnected, type PartnerSocket, type PartnerSocketOptions } from './socket.js';
export { discover, DISCOVERY_PATH, type AuthorizationServerMetadata } from './discovery.js';
export { getPolicyMode, POLICY_PATH, type PolicyMode } from './policy.js';
export { readAuthorizationResponse, GlasshouseIssuerError, type AuthorizationResponse } from './authorization-response.js';
export { requestToken, basicAuthorization, type TokenSet, type ClientCredentials } from './tokens.js';
export { GlasshouseError, GlasshouseApiError, GlasshouseTokenError, GlasshouseUnreachableError, bearerError, type Problem } from './errors.js';
export type { Person, Message, Thread, Page, PageQuery, NewMessage, NowPlaying, NowPlayingInput, PartnerServerToClientEvents } from './types.js';
export { createAdminClient, type AdminClient, type AdminClientOptions } from './admin-client.js';
export type {
  AccessEntry, AccessLogFilter, AdminClientInfo, AdminMessage, AdminPerson, AdminTokenResponse, ClientExposure, ClientStatus, PersonExposure, PersonRef,
  ResetResult,
} from './admin-types.js';
export { createSandbox, ALL_API_SCOPES, type Sandbox, type SandboxOptions } from './sandbox.js';
export { parseScenario, ScenarioFileError, type ParsedScenario } from './scenario/parse.js';
export { runScenario, type RunOptions, type ScenarioReport, type ScenarioTarget, type StepReport } from './scenario/run.js';
export { formatReport } from './scenario/report.js';
export { compareScenario, type PolicyRun } from './scenario/compare.js';
