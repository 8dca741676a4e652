import { accessTotals, messagesReadCount, totalId, totalsWhere, type AccessTotals } from './access-totals.js';
import type { Store } from '../store/store.js';

/** A client's exposure (README, "Terms"): who it saw, and on whose say-so. Ids are person ids. */
export interface ClientExposure {
  clientId: string;
  clientName: string;
  status: 'active' | 'shut_down';
  /** People who ever authorized the client. */
  authorizedPeople: string[];
  /** Distinct people included in its accesses (identity or message content). */
  peopleSeen: string[];
  /** Of those, people who never granted it anything. */
  bystanders: string[];
  /** Distinct messages read. */
  messagesRead: number;
  messagesWritten: number;
  messagesDeleted: number;
  /** Distinct threads touched. */
  threads: string[];
  accesses: number;
}

/** How one person was exposed to one client. */
export interface PersonExposure {
  personId: string;
  clientId: string;
  /** Whether this person ever authorized the client. */
  authorized: boolean;
  /** Accesses that included this person. */
  accesses: number;
  /** Resource owners whose tokens those accesses used ("on whose say-so"). */
  onBehalfOf: string[];
  threads: string[];
  /** ms since epoch of the latest access including this person. */
  lastAt: number;
}

function everAuthorized(store: Store, clientId: string): Set<string> {
  return new Set(
    store
      .all('authorizations')
      .filter((a) => a.clientId === clientId)
      .map((a) => a.personId),
  );
}

/** Exposure of one client, over the whole access history (folded totals + raw entries). */
export function clientExposure(
  store: Store,
  clientId: string,
  totals: AccessTotals = accessTotals(store),
): ClientExposure {
  const authorized = everAuthorized(store, clientId);
  const row = totals.get(totalId.client(clientId));
  const seen = row?.sets['people'] ?? [];
  const client = store.client(clientId);
  return {
    clientId,
    clientName: client?.name ?? clientId,
    status: client?.status ?? 'active',
    authorizedPeople: [...authorized].sort(),
    peopleSeen: [...seen].sort(),
    bystanders: seen.filter((p) => !authorized.has(p)).sort(),
    messagesRead: messagesReadCount(row),
    messagesWritten: row?.sums['messagesWritten'] ?? 0,
    messagesDeleted: row?.sums['messagesDeleted'] ?? 0,
    threads: [...(row?.sets['threads'] ?? [])].sort(),
    accesses: row?.count ?? 0,
  };
}

/** Exposure of every registered client, in client id order. */
export function allExposures(store: Store): ClientExposure[] {
  const totals = accessTotals(store);
  return store
    .all('clients')
    .map((c) => c.id)
    .sort()
    .map((id) => clientExposure(store, id, totals));
}

/** Which apps saw `personId`, how often, and on whose authorization. */
export function personExposure(store: Store, personId: string): PersonExposure[] {
  return totalsWhere(accessTotals(store), 'person', { personId })
    .map((row) => ({
      personId,
      clientId: row.clientId,
      authorized: everAuthorized(store, row.clientId).has(personId),
      accesses: row.count,
      onBehalfOf: [...(row.sets['owners'] ?? [])],
      threads: [...(row.sets['threads'] ?? [])],
      lastAt: row.lastAt,
    }))
    .sort((a, b) => a.clientId.localeCompare(b.clientId));
}
