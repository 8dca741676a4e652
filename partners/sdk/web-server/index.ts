/**
 * Helpers for a partner's own web server (Tunewave and Reelbox use them, and so does the platform's):
 * how node's HTTP parser refusals are answered, and a bounded in-memory session store. Not part of the
 * API client (`partners/sdk/index.ts`); a leaf like the rest of the SDK.
 */
export {
  addressProblem,
  afterAnswers,
  answerConnect,
  answerContinue,
  answerExpectation,
  answerParserRefusals,
  answerRefusal,
  checkRequestsFirst,
  closeAfter,
  closing,
  fieldValues,
  keepAnswering,
  requestProblem,
  serverWideRequests,
  type ParserRefusal,
} from './parser-refusals.js';
export { hasBody } from './has-body.js';
export { answerUpgrades, asksForWebSocket, type UpgradeHandOff, type UpgradeListener } from './upgrades.js';
export {
  BoundedSessionStore,
  passportUserIn,
  type BoundedSessionStoreOptions,
  type SessionDropReason,
} from './session-store.js';
