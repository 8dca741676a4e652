import type { Store } from '../store/store.js';
import { describeRetained, retainedBy } from './retained.js';

/** One client's line in the exposure report's "What the apps may still have". */
export interface RetentionLine {
  clientId: string;
  /** e.g. "Tunewave read 23 messages from 4 people so far; it may still have them." */
  text: string;
  /** Deletion requests sent to it, by outcome; `sneaky` counts "deleted" answers that kept copies. */
  requests: { deleted: number; failed: number; sneaky: number };
}

/** What `clientId` read over everyone's tokens, and how its deletion requests went (README, "Retained copies and deletion requests"). */
export function retentionReport(store: Store, clientId: string): RetentionLine {
  const client = store.client(clientId);
  const name = client?.name ?? clientId;
  const retained = retainedBy(store, clientId);
  const when = client?.status === 'shut_down' ? 'before it was shut down' : 'so far';
  const requests = { deleted: 0, failed: 0, sneaky: 0 };
  for (const a of store.all('authorizations')) {
    if (a.clientId !== clientId) continue;
    for (const r of a.deletionRequests ?? []) {
      requests[r.outcome] += 1;
      if (r.outcome === 'deleted' && r.messagesKept) requests.sneaky += 1;
    }
  }
  const text = retained.messages
    ? `${name} read ${describeRetained(retained)} ${when}; it may still have them.`
    : `${name} has read no messages.`;
  return { clientId, text, requests };
}
