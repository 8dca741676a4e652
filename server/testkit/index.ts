/**
 * Glasshouse testkit, for testers and the platform's own tests: the admin API client
 * (`createAdminClient`), in-process sandboxes (`createSandbox`) and, in `./scenario/`, scenario files,
 * their runner and CLI. It may import both the server and the partner SDK (`partners/sdk`); the SDK
 * never imports it.
 */
export { createAdminClient, type AdminClient, type AdminClientOptions } from './admin-client.js';
export type {
  AccessEntry,
  AccessLogFilter,
  AdminClientInfo,
  AdminMessage,
  AdminPerson,
  AdminTokenResponse,
  ClientExposure,
  ClientStatus,
  PersonExposure,
  PersonRef,
  ResetResult,
  ClockInfo,
  Fault,
  FaultRequest,
  TokenTarget,
} from './admin-types.js';
export { createSandbox, ALL_API_SCOPES, type Sandbox, type SandboxOptions } from './sandbox.js';
export { parseScenario, ScenarioFileError, type ParsedScenario } from './scenario/parse.js';
export {
  runScenario,
  type RunOptions,
  type ScenarioReport,
  type ScenarioTarget,
  type StepReport,
} from './scenario/run.js';
export { formatReport } from './scenario/report.js';
export { compareScenario, compareScenarioFile, type PolicyRun } from './scenario/compare.js';
