import type { EventBus } from '../events.js';
import type { AccessEntry } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { MonitorEvent } from './monitor-event.js';

/** How many events the live feed keeps for new viewers and export. */
const FEED_CAPACITY = 5000;
const SNIPPET_CHARS = 80;

export const GLASSHOUSE = 'Glasshouse';
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
export const BROWSER = 'Browser';

/**
 * Turns domain events into monitor events (OAuth steps, accesses, admin actions), keeps the most
 * recent `FEED_CAPACITY` for export, and hands each new one to `listeners`.
 */
export function createMonitorFeed(deps: { events: EventBus; store: Store; now: () => number }) {
  const { events, store, now } = deps;
  let seq = 0;
  let buffer: MonitorEvent[] = [];
  const listeners = new Set<(e: MonitorEvent) => void>();
  const clientName = (id?: string) => (id ? (store.client(id)?.name ?? id) : 'client');
  const personName = (id: string) => store.get('people', id)?.displayName ?? id;

  function push(partial: Omit<MonitorEvent, 'seq'>): void {
    const event: MonitorEvent = { seq: ++seq, ...partial };
    buffer.push(event);
    if (buffer.length > FEED_CAPACITY) buffer = buffer.slice(-FEED_CAPACITY);
    for (const l of listeners) l(event);
  }

  function fromAccess(entry: AccessEntry): Omit<MonitorEvent, 'seq'> {
    const bystanders = new Set(entry.bystanders);
    const client = clientName(entry.clientId);
    const toClient = entry.action === 'read' || entry.channel === 'socket';
    return {
      at: entry.at,
      kind: 'access',
      from: toClient ? GLASSHOUSE : client,
      to: toClient ? client : GLASSHOUSE,
      label: `${entry.action} · ${entry.operation} · ${count(entry.peopleIncluded.length, 'person', 'people')} (${count(entry.bystanders.length, 'bystander', 'bystanders')})`,
      clientId: entry.clientId,
      personId: entry.ownerId,
      details: {
        action: entry.action,
        scope: entry.scope,
        operation: entry.operation,
        channel: entry.channel,
        policy: entry.policy,
        threads: entry.threadIds.map((id) => {
          const t = store.get('threads', id);
          return { id, title: t?.title ?? (t ? t.participantIds.map(personName).join(' & ') : id) };
        }),
        messages: entry.messageIds.slice(0, 200).map((id) => {
          const m = store.get('messages', id);
          return { id, snippet: m ? m.text.slice(0, SNIPPET_CHARS) : '(deleted)', ...(m ? { senderId: m.senderId } : {}) };
        }),
        people: entry.peopleIncluded.map((id) => ({ id, name: personName(id), bystander: bystanders.has(id) })),
      },
    };
  }

  const unsubscribe = [
    events.on('world.reset', () => {
      buffer = [];
    }),
    events.on('access.recorded', ({ entry }) => push(fromAccess(entry))),
    events.on('oauth.step', (s) => {
      const client = clientName(s.clientId);
      const browserSide = ['authorize', 'login', 'consent', 'deny', 'code'].includes(s.step);
      push({
        at: s.at,
        kind: 'oauth',
        from: browserSide ? BROWSER : s.step === 'revoke' && !s.clientId ? BROWSER : client,
        to: s.step === 'code' ? client : GLASSHOUSE,
        label: `${s.step}${s.scopes?.length ? ` · ${s.scopes.join(' ')}` : ''}`,
        ...(s.clientId ? { clientId: s.clientId } : {}),
        ...(s.personId ? { personId: s.personId } : {}),
        details: { step: s.step, ...(s.scopes ? { scopes: s.scopes } : {}), ...(s.detail ? { note: s.detail } : {}) },
      });
    }),
    events.on('tokens.ended', ({ action, count: n, clientId }) =>
      push({ at: now(), kind: 'admin', from: 'Admin', to: GLASSHOUSE, label: `${count(n, 'token', 'tokens')} ${action === 'expire' ? 'expired' : 'revoked'}${clientId ? ` · ${clientName(clientId)}` : ''}`, ...(clientId ? { clientId } : {}), details: { note: `${action} by an admin` } })),
    events.on('fault.injected', ({ at, clientId, ownerId, channel, label, operation }) =>
      push({ at, kind: 'fault', from: GLASSHOUSE, to: clientName(clientId), label: `injected fault · ${label} · ${channel}`, clientId, ...(ownerId ? { personId: ownerId } : {}), details: { channel: channel === 'refresh' ? 'api' : channel, operation, note: `injected: ${label}` } })),
    events.on('policy.changed', ({ mode }) =>
      push({ at: now(), kind: 'admin', from: 'Admin', to: GLASSHOUSE, label: `policy → ${mode}`, details: { policy: mode } })),
    events.on('client.status', ({ clientId, status }) =>
      push({ at: now(), kind: 'admin', from: 'Admin', to: GLASSHOUSE, label: `${clientName(clientId)} → ${status}`, clientId, details: { note: status } })),
    events.on('grant.revoked', ({ clientId, personId }) =>
      push({ at: now(), kind: 'oauth', from: BROWSER, to: GLASSHOUSE, label: `grant revoked · ${clientName(clientId)}`, clientId, personId, details: { step: 'revoke' } })),
  ];

  return {
    /** Events kept so far, oldest first. */
    events: (): MonitorEvent[] => [...buffer],
    subscribe(listener: (e: MonitorEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear(): void {
      buffer = [];
    },
    close(): void {
      unsubscribe.forEach((off) => off());
      listeners.clear();
    },
  };
}

export type MonitorFeed = ReturnType<typeof createMonitorFeed>;
