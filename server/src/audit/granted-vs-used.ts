import type { Store } from '../store/store.js';
import { accessTotals, totalsWhere } from './access-totals.js';

/** Scopes granted beside scopes exercised, for one person and one client. */
export interface GrantUsage {
  personId: string;
  clientId: string;
  granted: string[];
  /** Scopes the client actually used with this person's token (from the access log). */
  used: string[];
  /** Granted and never needed. */
  unused: string[];
}

/** Distinct scopes used per `${clientId}|${ownerId}`, over the whole access history. */
function usedScopes(store: Store): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const t of totalsWhere(accessTotals(store), 'grant'))
    used.set(`${t.clientId}|${t.ownerId}`, new Set(t.sets['scopes'] ?? []));
  return used;
}

/** Granted versus used for every current (not revoked) authorization, optionally of one person or client. */
export function grantUsage(store: Store, filter: { personId?: string; clientId?: string } = {}): GrantUsage[] {
  const used = usedScopes(store);
  return store
    .all('authorizations')
    .filter((a) => a.revokedAt === undefined)
    .filter(
      (a) =>
        (!filter.personId || a.personId === filter.personId) && (!filter.clientId || a.clientId === filter.clientId),
    )
    .map((a) => {
      const u = used.get(`${a.clientId}|${a.personId}`) ?? new Set<string>();
      return {
        personId: a.personId,
        clientId: a.clientId,
        granted: a.scopes,
        used: a.scopes.filter((s) => u.has(s)),
        unused: a.scopes.filter((s) => !u.has(s)),
      };
    });
}

/** Per client: union of scopes granted and used over all its current authorizations. */
export function clientGrantUsage(
  store: Store,
  clientId: string,
): { granted: string[]; used: string[]; unused: string[] } {
  const rows = grantUsage(store, { clientId });
  const granted = [...new Set(rows.flatMap((r) => r.granted))].sort();
  const used = [...new Set(rows.flatMap((r) => r.used))].sort();
  return { granted, used, unused: granted.filter((s) => !used.includes(s)) };
}
