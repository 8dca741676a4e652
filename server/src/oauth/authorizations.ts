import type { EventBus } from '../events.js';
import type { Authorization } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { authorizationId } from '../store/row-ids.js';

/**
 * The durable consent records (`authorizations` collection): one row per person and client, kept
 * after revocation because "has this person ever authorized this client?" defines bystanders.
 */
export interface Authorizations {
  /** The row of `personId` and `clientId`, revoked or not. */
  get(personId: string, clientId: string): Authorization | undefined;
  /** The grant id of a current (not revoked) authorization. */
  activeGrantId(personId: string, clientId: string): string | undefined;
  /** Everything `personId` ever authorized, newest grant first. */
  forPerson(personId: string): Authorization[];
  /**
   * Records that `personId` granted `scopes` to `clientId` under `grantId` (consent or TokenService):
   * creates the row or updates it (clearing any revocation), keeping `firstGrantedAt`.
   */
  recordGrant(input: { personId: string; clientId: string; grantId: string; scopes: string[] }): Promise<Authorization>;
  /**
   * Marks the authorization holding `grantId` as revoked (scopes emptied, `revokedAt` set). Returns
   * the row, or undefined when no current authorization holds it. The caller announces it
   * (`announceRevoked`) once everything it changes with it is stored.
   */
  markRevoked(grantId: string): Promise<Authorization | undefined>;
  /** Emits `grant.revoked` for a row `markRevoked` returned (partner sockets of the grant close, the monitor is told). */
  announceRevoked(row: Authorization): void;
  /**
   * Runs `change` once every earlier change of the same grants has settled. Every change of a grant
   * goes through here (consent, tokens issued without a browser, narrowing, revocation), so reading a
   * person's current grant and recording one are a single step: two consents in two browsers extend
   * one grant instead of leaving an older one that "Remove" would miss, and a revocation never lands
   * between a grant's save and its record. Changes of other people's or clients' grants run
   * alongside. `of` names the grants by person and client, or by grant id. Resolves or rejects as
   * `change` does.
   */
  oneAtATime<T>(
    of: readonly ({ personId: string; clientId: string } | { grantId: string })[],
    change: () => Promise<T>,
  ): Promise<T>;
}

export { authorizationId } from '../store/row-ids.js';

/** Consent records over `store`; `now` (ms) stamps them; revocations are announced on `events`. */
export function createAuthorizations(store: Store, events: EventBus, now: () => number): Authorizations {
  const get = (personId: string, clientId: string) => store.get('authorizations', authorizationId(personId, clientId));
  /** Per authorization id: the last change queued, settled (never rejects). */
  const queued = new Map<string, Promise<unknown>>();
  const keyOf = (g: { personId: string; clientId: string } | { grantId: string }) => {
    if ('personId' in g) return authorizationId(g.personId, g.clientId);
    const row = store.all('authorizations').find((a) => a.grantId === g.grantId);
    return row ? row.id : `grant ${g.grantId}`;
  };
  return {
    oneAtATime(of, change) {
      const keys = [...new Set(of.map(keyOf))];
      const run = Promise.all(keys.map((k) => queued.get(k))).then(change);
      const settled = run.catch(() => undefined);
      for (const k of keys) queued.set(k, settled);
      void settled.then(() => {
        for (const k of keys) if (queued.get(k) === settled) queued.delete(k);
      });
      return run;
    },
    get,
    activeGrantId(personId, clientId) {
      const row = get(personId, clientId);
      return row && row.revokedAt === undefined ? row.grantId : undefined;
    },
    forPerson(personId) {
      return store
        .all('authorizations')
        .filter((a) => a.personId === personId)
        .sort((a, b) => b.grantedAt - a.grantedAt);
    },
    async recordGrant({ personId, clientId, grantId, scopes }) {
      const at = now();
      const old = get(personId, clientId);
      const row: Authorization = {
        id: authorizationId(personId, clientId),
        personId,
        clientId,
        scopes: [...new Set(scopes)],
        grantId,
        firstGrantedAt: old?.firstGrantedAt ?? at,
        grantedAt: at,
        ...(old?.deletionRequests ? { deletionRequests: old.deletionRequests } : {}),
      };
      await store.put('authorizations', row);
      return row;
    },
    announceRevoked(row) {
      if (row.grantId)
        events.emit('grant.revoked', { grantId: row.grantId, clientId: row.clientId, personId: row.personId });
    },
    async markRevoked(grantId) {
      const row = store.all('authorizations').find((a) => a.grantId === grantId && a.revokedAt === undefined);
      if (!row) return undefined;
      const revoked: Authorization = { ...row, scopes: [], revokedAt: now() };
      await store.put('authorizations', revoked);
      return revoked;
    },
  };
}
