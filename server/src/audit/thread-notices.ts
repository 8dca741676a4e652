import type { Store } from '../store/store.js';

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
  const latest = new Map<string, { clientId: string; ownerId: string; action: keyof typeof VERBS; at: number; times: number }>();
  for (const e of store.accessLog()) {
    if (!e.threadIds.includes(threadId)) continue;
    const key = `${e.clientId}|${e.ownerId}|${e.action}`;
    const row = latest.get(key);
    if (row) {
      row.times += 1;
      row.at = Math.max(row.at, e.at);
    } else latest.set(key, { clientId: e.clientId, ownerId: e.ownerId, action: e.action, at: e.at, times: 1 });
  }
  return [...latest.values()]
    .sort((a, b) => b.at - a.at)
    .map((r) => {
      const app = store.client(r.clientId)?.name ?? r.clientId;
      const owner = store.get('people', r.ownerId)?.displayName ?? r.ownerId;
      const times = r.times > 1 ? ` (${r.times} times)` : '';
      return `${app}, authorized by ${owner}, ${VERBS[r.action]} this conversation ${ago(r.at, nowMs)}${times}.`;
    });
}
