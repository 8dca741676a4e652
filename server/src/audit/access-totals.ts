import type { AccessEntry, AccessTotal } from '../store/schema.js';
import type { Store } from '../store/store.js';

/**
 * The access log as its readers need it (README "Retention"): the totals folded from entries past
 * the retention window plus the raw entries still kept, as one set of totals. Exposure, bystander
 * notices, granted-vs-used and "last used" read this, never the raw log, so that they stay complete
 * when old entries are folded away.
 */
export type AccessTotals = Map<string, AccessTotal>;

type Key = Pick<AccessTotal, 'kind' | 'clientId' | 'ownerId' | 'personId' | 'threadId' | 'action'>;

export const totalId = {
  client: (clientId: string) => `client ${clientId}`,
  person: (clientId: string, personId: string) => `person ${clientId} ${personId}`,
  thread: (threadId: string, clientId: string, ownerId: string, action: string) =>
    `thread ${threadId} ${clientId} ${ownerId} ${action}`,
  grant: (clientId: string, ownerId: string) => `grant ${clientId} ${ownerId}`,
};

/**
 * The sets of rows being folded, as Sets: a union per access costs the size of the access, not of
 * everything the row has collected (a client's `messagesRead` may hold every message it ever read).
 * `settle` writes them back into the rows as arrays.
 */
const openSets = new WeakMap<AccessTotal, Map<string, Set<string>>>();

function addTo(
  totals: AccessTotals,
  id: string,
  key: Key,
  at: number,
  sets: Record<string, readonly string[]>,
  sums: Record<string, number> = {},
  read: (id: string) => AccessTotal | undefined = () => undefined,
): void {
  let row = totals.get(id);
  if (!row) {
    const stored = read(id);
    row = stored
      ? { ...stored, sets: { ...stored.sets }, sums: { ...stored.sums } }
      : { id, ...key, count: 0, lastAt: at, sets: {}, sums: {} };
    totals.set(id, row);
  }
  row.count += 1;
  row.lastAt = Math.max(row.lastAt, at);
  for (const [name, values] of Object.entries(sets)) {
    if (values.length === 0) continue;
    let open = openSets.get(row);
    if (!open) openSets.set(row, (open = new Map()));
    let have = open.get(name);
    if (!have) open.set(name, (have = new Set(row.sets[name] ?? [])));
    for (const v of values) have.add(v);
  }
  for (const [name, n] of Object.entries(sums)) row.sums[name] = (row.sums[name] ?? 0) + n;
}

/** The set `name` of a row being folded (ids added so far), before `settle` writes it back. */
export const openSet = (row: AccessTotal, name: string): ReadonlySet<string> | undefined =>
  openSets.get(row)?.get(name);

/**
 * Writes the sets grown by `foldEntry` back into their rows (arrays, first-seen order). Call after
 * folding. With `forget`, each id of a `messagesRead` set it returns true for leaves the set and is
 * counted in the row's `messagesReadGone` sum instead (see `messagesReadCount`).
 */
export function settle(totals: AccessTotals, forget?: (row: AccessTotal, messageId: string) => boolean): AccessTotals {
  for (const row of totals.values()) {
    const open = openSets.get(row);
    if (!open) continue;
    const read = open.get('messagesRead');
    if (read && forget) {
      let gone = 0;
      for (const id of read)
        if (forget(row, id)) {
          read.delete(id);
          gone++;
        }
      if (gone > 0) row.sums['messagesReadGone'] = (row.sums['messagesReadGone'] ?? 0) + gone;
    }
    for (const [name, have] of open) row.sets[name] = [...have];
    openSets.delete(row);
  }
  return totals;
}

/**
 * Distinct messages a client (or grant) read: the ids still in its `messagesRead` set, plus those
 * forgotten once their message was deleted (a fold keeps only the count of those, so the totals grow
 * with the world, not with time: README "Retention").
 */
export function messagesReadCount(row: AccessTotal | undefined): number {
  return (row?.sets['messagesRead']?.length ?? 0) + (row?.sums['messagesReadGone'] ?? 0);
}

/**
 * The access-log operation of a partner socket's delivery (realtime/partner-socket.ts): a new
 * message (`socket message:created`) or the notice that one was deleted (`socket message:deleted`).
 */
export const socketDeliveryOperation = (kind: 'created' | 'deleted'): string => `socket message:${kind}`;

/**
 * Did this access read the content of the messages it names? A read does; a partner socket told
 * that a message was deleted (no sender, no text) does not.
 */
export const readContent = (e: Pick<AccessEntry, 'action' | 'operation'>): boolean =>
  e.action === 'read' && e.operation !== socketDeliveryOperation('deleted');

/**
 * Adds one access to `totals` (every kind of row it counts in). Rows missing from `totals` start from
 * `read(id)` (the stored row) when given, else empty. The rows' sets are up to date after `settle(totals)`.
 */
export function foldEntry(totals: AccessTotals, e: AccessEntry, read?: (id: string) => AccessTotal | undefined): void {
  const { clientId, ownerId, at, action } = e;
  addTo(
    totals,
    totalId.client(clientId),
    { kind: 'client', clientId },
    at,
    {
      people: e.peopleIncluded,
      threads: e.threadIds,
      messagesRead: readContent(e) ? e.messageIds : [],
    },
    {
      messagesWritten: action === 'write' ? e.messageIds.length : 0,
      messagesDeleted: action === 'delete' ? e.messageIds.length : 0,
    },
    read,
  );
  for (const personId of e.peopleIncluded) {
    addTo(
      totals,
      totalId.person(clientId, personId),
      { kind: 'person', clientId, personId },
      at,
      { owners: [ownerId], threads: e.threadIds },
      {},
      read,
    );
  }
  // Listing threads or participants returns no message: for the notices it is not a read of the content.
  const threadAction = action === 'read' && e.messageIds.length === 0 ? 'listed' : action;
  for (const threadId of e.threadIds) {
    addTo(
      totals,
      totalId.thread(threadId, clientId, ownerId, threadAction),
      { kind: 'thread', clientId, ownerId, threadId, action: threadAction },
      at,
      {},
      {},
      read,
    );
  }
  addTo(
    totals,
    totalId.grant(clientId, ownerId),
    { kind: 'grant', clientId, ownerId },
    at,
    { scopes: [e.scope], messagesRead: readContent(e) ? e.messageIds : [] },
    {},
    read,
  );
}

const cache = new WeakMap<Store, { version: string; totals: AccessTotals }>();

/** Folded totals + raw entries of `store`, recomputed only when either collection changed. */
export function accessTotals(store: Store): AccessTotals {
  const version = `${store.versionOf('accessTotals')} ${store.versionOf('accessLog')}`;
  const hit = cache.get(store);
  if (hit?.version === version) return hit.totals;
  const totals: AccessTotals = new Map(
    store.all('accessTotals').map((r) => [r.id, { ...r, sets: { ...r.sets }, sums: { ...r.sums } }]),
  );
  for (const e of store.accessLog()) foldEntry(totals, e);
  settle(totals);
  cache.set(store, { version, totals });
  return totals;
}

/** Rows of one kind matching `where`. */
export function totalsWhere(totals: AccessTotals, kind: AccessTotal['kind'], where: Partial<Key> = {}): AccessTotal[] {
  const out: AccessTotal[] = [];
  for (const row of totals.values()) {
    if (row.kind !== kind) continue;
    if (Object.entries(where).every(([k, v]) => row[k as keyof Key] === v)) out.push(row);
  }
  return out;
}
