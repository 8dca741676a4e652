import type { AccessRecorder } from '../audit/access-recorder.js';
import type { Logger } from 'pino';
import type { EventBus } from '../events.js';

/**
 * Writes an access-log entry, marked `injected`, for each injected fault no caller logs itself: a
 * refused or delayed socket handshake, a dropped socket, a refused refresh (README "Time, faults and
 * expiry for testers"). They include nobody and exercise no scope. API calls and socket deliveries
 * log their own entries. @returns the function that unsubscribes.
 */
export function attachFaultLog({
  events,
  audit,
  logger,
}: {
  events: EventBus;
  audit: AccessRecorder;
  logger: Logger;
}): () => void {
  return events.on('fault.injected', (e) => {
    if (e.logged) return;
    void audit
      .record({
        clientId: e.clientId,
        ownerId: e.ownerId,
        action: 'read',
        scope: '',
        operation: e.operation,
        channel: e.channel === 'socket' ? 'socket' : 'api',
        threadIds: [],
        messageIds: [],
        peopleIncluded: [],
        injected: e.label,
      })
      .catch((err: unknown) => logger.error({ err }, 'could not log an injected fault'));
  });
}
