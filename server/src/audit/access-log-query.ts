import { z } from 'zod';
import { queryInteger } from '../http/query-integer.js';
import { MAX_EPOCH_MS, type AccessEntry } from '../store/schema.js';
import type { Store } from '../store/store.js';

/** Filters of `GET /admin/access-log` (query string); all optional, unknown ones refused. */
export const accessLogQuerySchema = z.strictObject({
  clientId: z.string().min(1).max(200).optional(),
  ownerId: z.string().min(1).max(200).optional(),
  action: z.enum(['read', 'write', 'delete']).optional(),
  /** A person (id) either as resource owner or among the people included. */
  personId: z.string().min(1).max(200).optional(),
  /** Entries at or after this time (ms since epoch). */
  since: queryInteger({ min: 0, max: MAX_EPOCH_MS }).optional(),
  /** At most this many entries, the most recent ones (1–10000, default 1000). */
  limit: queryInteger({ min: 1, max: 10_000 }).default(1000),
});
export type AccessLogQuery = z.output<typeof accessLogQuerySchema>;

/**
 * Access-log entries matching every given filter, newest last, at most `limit` (the most recent).
 * One pass over the raw log, which retention bounds (`ACCESS_LOG_KEEP_ENTRIES`, README "Retention"):
 * an index by client and by owner cost every logged access two set entries (1.3 MB at 11,000
 * entries) for this admin query alone.
 */
export function queryAccessLog(store: Store, q: AccessLogQuery): AccessEntry[] {
  const matching = store
    .accessLog()
    .filter(
      (e) =>
        (q.clientId === undefined || e.clientId === q.clientId) &&
        (q.ownerId === undefined || e.ownerId === q.ownerId) &&
        (q.action === undefined || e.action === q.action) &&
        (q.personId === undefined || e.ownerId === q.personId || e.peopleIncluded.includes(q.personId)) &&
        (q.since === undefined || e.at >= q.since),
    );
  return matching.slice(-q.limit);
}
