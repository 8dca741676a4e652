import { NotFoundError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Clock } from '../clock/clock.js';
import type { OidcRecord } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { TokenTarget } from './token-service.js';

/** oidc-provider models that are tokens a client holds. */
const TOKEN_MODELS = new Set(['AccessToken', 'RefreshToken']);

export interface TokenLifetimeDeps {
  store: Store;
  events: EventBus;
  clock: Clock;
  /** Revokes grants and all they issued, all or nothing (TokenService.revokeGrants). */
  revokeGrants(grantIds: readonly string[]): Promise<void>;
}

/**
 * Ending tokens on a tester's demand (README "Time, faults and expiry for testers"): `expire` sets
 * a token record's `expiresAt` to the platform clock's now, so the store adapter (store-adapter.ts)
 * treats it as run out — a 401 `invalid_token` at the API, `invalid_grant` at the token endpoint —
 * exactly as when its lifetime passes; `revoke` removes it (or the whole grant). Partner sockets
 * holding an ended access token are disconnected (`tokens.ended`).
 */
export function createTokenLifetimes({ store, events, clock, revokeGrants }: TokenLifetimeDeps) {
  const grantsOf = (clientId: string): string[] => {
    if (!store.client(clientId)) throw new NotFoundError(`No client "${clientId}"`);
    return store
      .all('authorizations')
      .filter((a) => a.clientId === clientId && a.grantId && a.revokedAt === undefined)
      .map((a) => a.grantId!);
  };
  const live = (r: OidcRecord | undefined): r is OidcRecord =>
    r !== undefined && TOKEN_MODELS.has(r.model) && (r.expiresAt === undefined || r.expiresAt > clock.now());
  /** The one token (access or refresh) of this value. @throws NotFoundError */
  const tokenRecord = (token: string): OidcRecord => {
    const record = ['AccessToken', 'RefreshToken'].map((m) => store.get('oidc', `${m}:${token}`)).find(live);
    if (!record) throw new NotFoundError('No such live token');
    return record;
  };
  /** The live grants a grant or client target names. @throws NotFoundError for an unknown grant or client */
  const grantsOfTarget = (target: { grantId: string } | { clientId: string }): string[] => {
    if (!('grantId' in target)) return grantsOf(target.clientId);
    if (!store.get('oidc', `Grant:${target.grantId}`)) throw new NotFoundError('No such grant');
    return [target.grantId];
  };
  const accessTokensOf = (grantIds: string[]) =>
    grantIds.flatMap((g) => store.oidcFind(`grant:${g}`)).filter((r) => r.model === 'AccessToken' && live(r));
  /** Announces ended tokens (monitor; partner sockets holding one of the access tokens close). */
  const ended = (action: 'expire' | 'revoke', records: OidcRecord[]) => {
    const clientId = records[0]?.payload['clientId'];
    const accessTokens = records.filter((r) => r.model === 'AccessToken').map((r) => r.id.slice('AccessToken:'.length));
    events.emit('tokens.ended', {
      action,
      count: records.length,
      ...(typeof clientId === 'string' ? { clientId } : {}),
      accessTokens,
    });
  };

  return {
    async expire(target: TokenTarget): Promise<number> {
      const records = 'token' in target ? [tokenRecord(target.token)] : accessTokensOf(grantsOfTarget(target));
      const at = clock.now();
      // One commit, built from the rows as they are now: no await between reading a row and writing
      // it back, so a change made meanwhile (a scope narrowed, a token rotated) is never overwritten.
      await store.putMany(
        'oidc',
        records.map((r) => ({ ...r, expiresAt: at })),
      );
      ended('expire', records);
      return records.length;
    },
    async revoke(target: TokenTarget): Promise<number> {
      if ('token' in target) {
        const record = tokenRecord(target.token);
        await store.delete('oidc', record.id);
        ended('revoke', [record]);
        return 1;
      }
      const grantIds = grantsOfTarget(target);
      await revokeGrants(grantIds);
      return grantIds.length;
    },
  };
}
