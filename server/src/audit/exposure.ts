import type { AccessEntry } from '../store/schema.js';
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
  return new Set(store.all('authorizations').filter((a) => a.clientId === clientId).map((a) => a.personId));
}

/** Exposure of one client over `entries` (default: the whole access log). */
export function clientExposure(store: Store, clientId: string, entries: AccessEntry[] = store.accessLogOf({ clientId })): ClientExposure {
  const mine = entries.filter((e) => e.clientId === clientId);
  const authorized = everAuthorized(store, clientId);
  const seen = new Set<string>();
  const threads = new Set<string>();
  const read = new Set<string>();
  let written = 0;
  let deleted = 0;
  for (const e of mine) {
    e.peopleIncluded.forEach((p) => seen.add(p));
    e.threadIds.forEach((t) => threads.add(t));
    if (e.action === 'read') e.messageIds.forEach((m) => read.add(m));
    if (e.action === 'write') written += e.messageIds.length;
    if (e.action === 'delete') deleted += e.messageIds.length;
  }
  const client = store.client(clientId);
  return {
    clientId,
    clientName: client?.name ?? clientId,
    status: client?.status ?? 'active',
    authorizedPeople: [...authorized].sort(),
    peopleSeen: [...seen].sort(),
    bystanders: [...seen].filter((p) => !authorized.has(p)).sort(),
    messagesRead: read.size,
    messagesWritten: written,
    messagesDeleted: deleted,
    threads: [...threads].sort(),
    accesses: mine.length,
  };
}

/** Exposure of every registered client, in client id order. */
export function allExposures(store: Store, entries?: AccessEntry[]): ClientExposure[] {
  return store
    .all('clients')
    .map((c) => c.id)
    .sort()
    .map((id) => clientExposure(store, id, entries ?? store.accessLogOf({ clientId: id })));
}

/** Which apps saw `personId`, how often, and on whose authorization. */
export function personExposure(store: Store, personId: string, entries: AccessEntry[] = store.accessLog()): PersonExposure[] {
  const byClient = new Map<string, PersonExposure>();
  for (const e of entries) {
    if (!e.peopleIncluded.includes(personId)) continue;
    let row = byClient.get(e.clientId);
    if (!row) {
      row = { personId, clientId: e.clientId, authorized: everAuthorized(store, e.clientId).has(personId), accesses: 0, onBehalfOf: [], threads: [], lastAt: 0 };
      byClient.set(e.clientId, row);
    }
    row.accesses += 1;
    if (!row.onBehalfOf.includes(e.ownerId)) row.onBehalfOf.push(e.ownerId);
    for (const t of e.threadIds) if (!row.threads.includes(t)) row.threads.push(t);
    row.lastAt = Math.max(row.lastAt, e.at);
  }
  return [...byClient.values()].sort((a, b) => a.clientId.localeCompare(b.clientId));
}
