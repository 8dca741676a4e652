import type { Store } from '../store/store.js';
import { accessTotals, totalsWhere } from './access-totals.js';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", "yesterday"… from a time difference in ms. */
export function ago(thenMs: number, nowMs: number): string {
  const seconds = Math.round((thenMs - nowMs) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units)
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  return 'just now';
}

const VERBS = { read: 'read', listed: 'looked up', write: 'wrote in', delete: 'deleted messages in' } as const;
const OBJECTS = {
  read: 'this conversation',
  listed: 'this conversation and who is on it',
  write: 'this conversation',
  delete: 'this conversation',
} as const;

/**
 * Bystander notices for a thread, shown to every participant: which apps accessed it, on whose
 * authorization, and when — one line per (client, resource owner, action), latest first, e.g.
 * "Tunewave, authorized by Alice Moreau, read this conversation 3 minutes ago (2 times)". Only an
 * access that returned messages counts as reading it; listing threads or participants
 * is "looked up this conversation and who is on it".
 */
export function threadNotices(store: Store, threadId: string, nowMs: number): string[] {
  const latest = totalsWhere(accessTotals(store), 'thread', { threadId }).map((t) => ({
    clientId: t.clientId,
    ownerId: t.ownerId!,
    action: t.action!,
    at: t.lastAt,
    times: t.count,
  }));
  return (
    latest
      // What touched the content first, then look-ups; latest first within each.
      .sort((a, b) => Number(a.action === 'listed') - Number(b.action === 'listed') || b.at - a.at)
      .map((r) => {
        const app = store.client(r.clientId)?.name ?? r.clientId;
        const owner = store.get('people', r.ownerId)?.displayName ?? r.ownerId;
        const times = r.times > 1 ? ` (${r.times} times)` : '';
        return `${app}, authorized by ${owner}, ${VERBS[r.action]} ${OBJECTS[r.action]} ${ago(r.at, nowMs)}${times}.`;
      })
  );
}
