import type { Store } from '../store/store.js';
import { accessTotals, totalsWhere } from './access-totals.js';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", "yesterday"… from a time difference in ms. */
export function ago(thenMs: number, nowMs: number): string {
  const seconds = Math.round((thenMs - nowMs) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [['day', 86_400], ['hour', 3_600], ['minute', 60]];
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  return 'just now';
}

const VERBS = { read: 'read', write: 'wrote in', delete: 'deleted messages in' } as const;

/**
 * Bystander notices for a thread, shown to every participant: which apps accessed it, on whose
 * authorization, and when — one line per (client, resource owner, action), latest first, e.g.
 * "Tunewave, authorized by Alice Moreau, read this conversation 3 minutes ago (2 times)".
 */
export function threadNotices(store: Store, threadId: string, nowMs: number): string[] {
  const latest = totalsWhere(accessTotals(store), 'thread', { threadId }).map((t) => ({
    clientId: t.clientId, ownerId: t.ownerId!, action: t.action!, at: t.lastAt, times: t.count,
  }));
  return latest
    .sort((a, b) => b.at - a.at)
    .map((r) => {
      const app = store.client(r.clientId)?.name ?? r.clientId;
      const owner = store.get('people', r.ownerId)?.displayName ?? r.ownerId;
      const times = r.times > 1 ? ` (${r.times} times)` : '';
      return `${app}, authorized by ${owner}, ${VERBS[r.action]} this conversation ${ago(r.at, nowMs)}${times}.`;
    });
}
