import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events.js';
import type { AccessEntry } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { createIdListInterner } from './id-lists.js';
import { authorizationId } from '../store/row-ids.js';

/** An access as its producer knows it; the recorder adds id, time, bystanders and the policy mode. */
export type AccessRecord = Omit<AccessEntry, 'id' | 'at' | 'bystanders' | 'policy'>;

/**
 * Of `people`, those who never granted `clientId` anything: no `authorizations` row for the pair,
 * whether or not a grant was later revoked (README, "Terms": bystander).
 */
export function bystandersAmong(store: Store, clientId: string, people: readonly string[]): string[] {
  return people.filter((personId) => store.get('authorizations', authorizationId(personId, clientId)) === undefined);
}

export interface AccessRecorderDeps {
  store: Store;
  events: EventBus;
  /** ms since epoch. */
  now: () => number;
  newId?: () => string;
  /** Told when entries logged without waiting could not be made durable (the store's write failed). */
  onLost?: (err: unknown, count: number) => void;
}

/**
 * Appends access-log entries (README "Access log"). Every entry is in the log — in memory, in the
 * order of the accesses, `access.recorded` emitted — the moment `log`/`logMany`/`record` returns or
 * is called; it becomes durable with the store's next group commit. `log` and `logMany` do not wait
 * for that (reads and socket deliveries: the answer is not held up by the disk); `record` resolves
 * once the entry is durable (writes answer after their own entry is on disk).
 */
export function createAccessRecorder({
  store,
  events,
  now,
  newId = () => `a_${randomUUID()}`,
  onLost,
}: AccessRecorderDeps) {
  // Entries are rows: never changed in place, so entries listing the same ids can share the list.
  const shared = createIdListInterner();
  function entryOf(access: AccessRecord, at: number, policy: AccessEntry['policy']): AccessEntry {
    const peopleIncluded = shared([...new Set(access.peopleIncluded)]);
    return {
      id: newId(),
      at,
      ...access,
      threadIds: shared([...new Set(access.threadIds)]),
      messageIds: shared(access.messageIds),
      peopleIncluded,
      bystanders: shared(bystandersAmong(store, access.clientId, peopleIncluded)),
      policy,
    };
  }

  /** Applies the entries in order and emits them; returns the durability promise of the batch. */
  function append(accesses: readonly AccessRecord[]): { entries: AccessEntry[]; durable: Promise<void> } {
    const at = now();
    const policy = store.settings().policy;
    const entries = accesses.map((a) => entryOf(a, at, policy));
    const durable = entries.length ? store.putMany('accessLog', entries) : Promise.resolve();
    for (const entry of entries) events.emit('access.recorded', { entry });
    return { entries, durable };
  }

  function unawaited({ entries, durable }: ReturnType<typeof append>): AccessEntry[] {
    durable.catch((err: unknown) => {
      if (onLost) onLost(err, entries.length);
      else throw err;
    });
    return entries;
  }

  return {
    /**
     * The entry of `access` as a store row, for a caller that commits it together with the change it
     * records (one journal line, durable or refused together); `announce` it once committed.
     */
    entryFor(access: AccessRecord): AccessEntry {
      return entryOf(access, now(), store.settings().policy);
    },
    /** Emits `access.recorded` for entries committed by their producer (see `entryFor`). */
    announce(entries: readonly AccessEntry[]): void {
      for (const entry of entries) events.emit('access.recorded', { entry });
    },
    /** Logs one access now; durable with the next group commit (not awaited). */
    log(access: AccessRecord): AccessEntry {
      return unawaited(append([access]))[0]!;
    },
    /** Logs several accesses now, in order, in one group commit (not awaited). */
    logMany(accesses: readonly AccessRecord[]): AccessEntry[] {
      return unawaited(append(accesses));
    },
    /** Logs one access now and resolves once it is durable. */
    async record(access: AccessRecord): Promise<AccessEntry> {
      const { entries, durable } = append([access]);
      await durable;
      return entries[0]!;
    },
  };
}

export type AccessRecorder = ReturnType<typeof createAccessRecorder>;
