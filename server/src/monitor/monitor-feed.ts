import type { EventBus } from '../events.js';
import type { AccessEntry, DeletionRequest, Message } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { MonitorEvent } from './monitor-event.js';

/** How many events the live feed keeps for new viewers and export. */
const FEED_CAPACITY = 5000;
const SNIPPET_CHARS = 80;
/** How many of an access's messages its event lists. */
const MESSAGES_SHOWN = 200;

export const GLASSHOUSE = 'Glasshouse';
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
export const BROWSER = 'Browser';

/** The arrow of a client's answer to a deletion request; what it still keeps is the sandbox's secret. */
function deletionAnswer(client: string, r: DeletionRequest): Pick<MonitorEvent, 'label' | 'details'> {
  if (r.outcome === 'failed') return { label: 'deletion failed', details: { note: r.detail ?? 'no answer' } };
  const deleted = count(r.messagesDeleted ?? 0, 'message', 'messages');
  if (r.messagesKept) {
    return {
      label: `“deleted ${deleted}” · sneaky: still keeps ${r.messagesKept}`,
      details: {
        note: `${client} answered "deleted" but kept ${count(r.messagesKept, 'message', 'messages')} (sneaky mode; only the sandbox can see this)`,
      },
    };
  }
  return { label: `deleted ${deleted}`, details: { note: `${client} deleted ${deleted} it had kept` } };
}

/** A kept event: built once, when first sent or read (an access event costs a lookup per message). */
interface Kept {
  seq: number;
  build?: () => Omit<MonitorEvent, 'seq'>;
  event?: MonitorEvent;
}
interface FeedListener {
  send(e: MonitorEvent): void;
  wants(): boolean;
}

function materialize(kept: Kept): MonitorEvent {
  if (!kept.event) {
    kept.event = { seq: kept.seq, ...kept.build!() };
    delete kept.build;
  }
  return kept.event;
}

/**
 * Turns domain events into monitor events (OAuth steps, accesses, admin actions, deletion requests), keeps the most
 * recent `FEED_CAPACITY` for export, and hands each new one to `listeners`. With nobody watching, an
 * access event is built when first read (history, export), from the message rows taken when the access
 * was recorded: its snippets are what the partner saw, even for a message deleted since. Reads and deliveries are the hot path; the
 * monitor is not (README "Performance").
 */
export function createMonitorFeed(deps: { events: EventBus; store: Store; now: () => number }) {
  const { events, store, now } = deps;
  let seq = 0;
  let buffer: Kept[] = [];
  const listeners = new Set<FeedListener>();
  // A refused request may name no client at all: it still comes from outside, not from a new actor per case.
  const clientName = (id?: string) => (id ? (store.client(id)?.name ?? id) : 'Unknown client');
  const personName = (id: string) => store.get('people', id)?.displayName ?? id;
  const threadTitle = (id: string) => {
    const t = store.get('threads', id);
    return t?.title ?? (t ? t.participantIds.map(personName).join(' & ') : id);
  };
  /** What an access touched, in words: one thread by its name, several by their number, else the route. */
  const touched = (entry: AccessEntry) =>
    entry.threadIds.length === 1
      ? `“${threadTitle(entry.threadIds[0]!)}”`
      : entry.threadIds.length > 1
        ? count(entry.threadIds.length, 'thread', 'threads')
        : entry.operation;

  /** Adds an event: built at once when a listener wants it now, else kept as `build` until first read. */
  function add(build: () => Omit<MonitorEvent, 'seq'>): void {
    const kept: Kept = { seq: ++seq, build };
    buffer.push(kept);
    // Trimmed in steps of FEED_CAPACITY: a copy per FEED_CAPACITY events, not one per event.
    if (buffer.length >= 2 * FEED_CAPACITY) buffer = buffer.slice(-FEED_CAPACITY);
    for (const l of listeners) if (l.wants()) l.send(materialize(kept));
  }
  const push = (partial: Omit<MonitorEvent, 'seq'>) => add(() => partial);

  // Entries that list the same ids share one list (audit/id-lists.ts): so can their rows, while no
  // row of the list was replaced. A polled page keeps one array of rows, not one per read.
  const lastRows = new WeakMap<readonly string[], (Message | undefined)[]>();
  function rowsNow(messageIds: readonly string[]): (Message | undefined)[] {
    const rows = messageIds.slice(0, MESSAGES_SHOWN).map((id) => store.get('messages', id));
    const last = lastRows.get(messageIds);
    if (last && last.length === rows.length && last.every((row, i) => row === rows[i])) return last;
    lastRows.set(messageIds, rows);
    return rows;
  }

  /** `rows`: the messages of `entry.messageIds` (first 200) as they were when the access was recorded. */
  function fromAccess(entry: AccessEntry, rows: (Message | undefined)[]): Omit<MonitorEvent, 'seq'> {
    const bystanders = new Set(entry.bystanders);
    const client = clientName(entry.clientId);
    const toClient = entry.action === 'read' || entry.channel === 'socket';
    return {
      at: entry.at,
      kind: 'access',
      from: toClient ? GLASSHOUSE : client,
      to: toClient ? client : GLASSHOUSE,
      label: `${entry.action} · ${touched(entry)} · ${count(entry.peopleIncluded.length, 'person', 'people')} (${count(entry.bystanders.length, 'bystander', 'bystanders')})`,
      clientId: entry.clientId,
      personId: entry.ownerId,
      details: {
        action: entry.action,
        scope: entry.scope,
        operation: entry.operation,
        channel: entry.channel,
        policy: entry.policy,
        threads: entry.threadIds.map((id) => ({ id, title: threadTitle(id) })),
        messages: entry.messageIds.slice(0, MESSAGES_SHOWN).map((id, i) => {
          const m = rows[i];
          return {
            id,
            snippet: m ? m.text.slice(0, SNIPPET_CHARS) : '(deleted)',
            ...(m ? { senderId: m.senderId } : {}),
          };
        }),
        people: entry.peopleIncluded.map((id) => ({ id, name: personName(id), bystander: bystanders.has(id) })),
      },
    };
  }

  const unsubscribe = [
    events.on('world.reset', () => {
      buffer = [];
    }),
    events.on('access.recorded', ({ entry }) => {
      // The rows are taken now (a lookup each; rows are replaced, never changed in place), the event
      // built later: its snippets are those the partner saw, whether or not a monitor was open.
      const rows = rowsNow(entry.messageIds);
      add(() => fromAccess(entry, rows));
    }),
    events.on('oauth.step', (s) => {
      const client = clientName(s.clientId);
      const browserSide = ['authorize', 'login', 'consent', 'deny', 'code'].includes(s.step);
      push({
        at: s.at,
        kind: 'oauth',
        from: browserSide ? BROWSER : s.step === 'revoke' && !s.clientId ? BROWSER : client,
        to: s.step === 'code' ? client : GLASSHOUSE,
        label: `${s.step}${s.detail?.startsWith('refused') ? ' refused' : ''}${s.scopes?.length ? ` · ${s.scopes.join(' ')}` : ''}`,
        ...(s.clientId ? { clientId: s.clientId } : {}),
        ...(s.personId ? { personId: s.personId } : {}),
        details: { step: s.step, ...(s.scopes ? { scopes: s.scopes } : {}), ...(s.detail ? { note: s.detail } : {}) },
      });
    }),
    events.on('tokens.ended', ({ action, count: n, clientId }) =>
      push({
        at: now(),
        kind: 'admin',
        from: 'Admin',
        to: GLASSHOUSE,
        label: `${count(n, 'token', 'tokens')} ${action === 'expire' ? 'expired' : 'revoked'}${clientId ? ` · ${clientName(clientId)}` : ''}`,
        ...(clientId ? { clientId } : {}),
        details: { note: `${action} by an admin` },
      }),
    ),
    events.on('fault.injected', ({ at, clientId, ownerId, channel, label, operation }) =>
      push({
        at,
        kind: 'fault',
        from: GLASSHOUSE,
        to: clientName(clientId),
        label: `injected fault · ${label} · ${channel}`,
        clientId,
        ...(ownerId ? { personId: ownerId } : {}),
        details: { channel: channel === 'refresh' ? 'api' : channel, operation, note: `injected: ${label}` },
      }),
    ),
    events.on('policy.changed', ({ mode }) =>
      push({
        at: now(),
        kind: 'admin',
        from: 'Admin',
        to: GLASSHOUSE,
        label: `policy → ${mode}`,
        details: { policy: mode },
      }),
    ),
    events.on('client.status', ({ clientId, status }) => {
      const words = status === 'shut_down' ? 'shut down' : 'brought back';
      push({
        at: now(),
        kind: 'admin',
        from: 'Admin',
        to: GLASSHOUSE,
        label: `${clientName(clientId)} ${words}`,
        clientId,
        details: { note: `${clientName(clientId)} ${words}` },
      });
    }),
    events.on('deletion.requested', ({ clientId, personId, request }) => {
      const client = clientName(clientId);
      const base = { kind: 'retention' as const, clientId, personId };
      push({
        ...base,
        at: request.at,
        from: GLASSHOUSE,
        to: client,
        label: `data-deletion request · ${personName(personId)}`,
        details: { note: `asks ${client} to delete what it kept about ${personName(personId)}` },
      });
      push({ ...base, at: request.at, from: client, to: GLASSHOUSE, ...deletionAnswer(client, request) });
    }),
    events.on('grant.revoked', ({ clientId, personId }) =>
      push({
        at: now(),
        kind: 'oauth',
        from: BROWSER,
        to: GLASSHOUSE,
        label: `grant revoked · ${clientName(clientId)}`,
        clientId,
        personId,
        details: { step: 'revoke' },
      }),
    ),
  ];

  return {
    /** The last FEED_CAPACITY events, oldest first. */
    events: (): MonitorEvent[] => buffer.slice(-FEED_CAPACITY).map(materialize),
    /**
     * Hands each new event to `send` while `wants()` (e.g. while anyone watches); an event nobody
     * wants at once is built only when first read.
     */
    subscribe(send: (e: MonitorEvent) => void, wants: () => boolean = () => true): () => void {
      const listener = { send, wants };
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
