import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events.js';
import type { AccessEntry } from '../store/schema.js';
import type { Store } from '../store/store.js';

/** An access as its producer knows it; the recorder adds id, time, bystanders and the policy mode. */
export type AccessRecord = Omit<AccessEntry, 'id' | 'at' | 'bystanders' | 'policy'>;

/**
 * Of `people`, those who never granted `clientId` anything: no `authorizations` row for the pair,
 * whether or not a grant was later revoked (README, "Terms": bystander).
 */
export function bystandersAmong(store: Store, clientId: string, people: readonly string[]): string[] {
  return people.filter((personId) => store.get('authorizations', `${personId}~${clientId}`) === undefined);
}

export interface AccessRecorderDeps {
  store: Store;
  events: EventBus;
  /** ms since epoch. */
  now: () => number;
  newId?: () => string;
}

/**
 * Appends access-log entries. `record` resolves once the entry is durable (journaled through the
 * store), then emits `access.recorded`: producers await it before they answer or deliver, so nothing
 * reaches a client without its log entry.
 */
export function createAccessRecorder({ store, events, now, newId = () => `a_${randomUUID()}` }: AccessRecorderDeps) {
  return {
    async record(access: AccessRecord): Promise<AccessEntry> {
      const peopleIncluded = [...new Set(access.peopleIncluded)];
      const entry: AccessEntry = {
        id: newId(),
        at: now(),
        ...access,
        threadIds: [...new Set(access.threadIds)],
        peopleIncluded,
        bystanders: bystandersAmong(store, access.clientId, peopleIncluded),
        policy: store.settings().policy,
      };
      await store.put('accessLog', entry);
      events.emit('access.recorded', { entry });
      return entry;
    },
  };
}

export type AccessRecorder = ReturnType<typeof createAccessRecorder>;
