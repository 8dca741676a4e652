import type Provider from 'oidc-provider';
import { AppError, ForbiddenError, InvalidTokenError, NotFoundError } from '../errors.js';
import { tokenKeyOf } from '../http/bearer-auth.js';
import type { Clock } from '../clock/clock.js';
import type { EventBus } from '../events.js';
import type { Store } from '../store/store.js';
import type { Authorizations } from './authorizations.js';
import type { ClientRegistry } from './client-registry.js';
import { createDpopVerifier, InvalidDpopProofError } from './dpop.js';
import { approveResourceScopes, narrowIssuedTokens, withdrawResourceScopes } from './grant-scopes.js';
import { TTL } from './provider-config.js';
import type { RequestUndo } from './request-undo.js';
import { oidcRowId } from './store-adapter.js';
import { API_SCOPES, isApiScope, splitScope } from './scopes.js';
import { createTokenLifetimes } from './token-lifetimes.js';
import type { AccessTokenInfo, TokenResponse, TokenService } from './token-service.js';

/** Longest bearer token we look up (opaque tokens are 43 characters). */
const MAX_TOKEN_LENGTH = 512;

/** RFC 6749 §5.2 `invalid_scope`, as a typed 400 (admin API, sandboxes). */
export class InvalidScopeError extends AppError {
  constructor(detail: string) {
    super(400, 'invalid_scope', detail);
  }
}

export interface TokenServiceDeps {
  provider: Provider;
  store: Store;
  clients: ClientRegistry;
  authorizations: Authorizations;
  events: EventBus;
  clock: Clock;
  /** The messaging API audience (resource indicator). */
  audience: string;
  /** The platform's public origin (`PLATFORM_URL`): DPoP proofs name URLs under it (`htu`). */
  publicUrl: string;
  /** Makes each operation's writes all or nothing (request-undo.ts). */
  undo: RequestUndo;
}

/**
 * TokenService over oidc-provider's own models: tokens minted by `issue()` are the same records a
 * browser flow creates (Grant, opaque AccessToken, RefreshToken), so refresh, revocation and
 * introspection treat them alike. No HTTP round trip.
 */
export function createTokenService(deps: TokenServiceDeps): TokenService {
  const { provider, store, clients, authorizations, events, clock, audience, publicUrl, undo } = deps;
  const now = () => clock.now();
  // Proofs carry the client's wall-clock `iat`, and oidc-provider judges them on the wall clock at the
  // token endpoint: the resource server does too, whatever a tester did to the platform clock.
  const dpop = createDpopVerifier(Date.now);
  const resourceServer = () =>
    new provider.ResourceServer(audience, {
      scope: API_SCOPES.join(' '),
      audience,
      accessTokenFormat: 'opaque',
      accessTokenTTL: TTL.AccessToken,
    });

  /** Scopes requested for `clientId`. @throws InvalidScopeError (empty, unknown, or beyond the client's `scope`). */
  function checkScopes(clientId: string, scopes: string[], allowed: string | undefined): string[] {
    const wanted = [...new Set(scopes)];
    if (wanted.length === 0) throw new InvalidScopeError('At least one scope is needed');
    const unknown = wanted.filter((s) => !isApiScope(s));
    if (unknown.length) throw new InvalidScopeError(`Unknown scope: ${unknown.join(' ')}`);
    const allowList = allowed === undefined ? undefined : new Set(splitScope(allowed));
    const refused = allowList ? wanted.filter((s) => !allowList.has(s)) : [];
    if (refused.length) throw new InvalidScopeError(`Client ${clientId} may not ask for: ${refused.join(' ')}`);
    return wanted;
  }

  /**
   * Revokes each of `grantIds` with every code and token issued under it and marks its authorization
   * revoked, all or nothing (request-undo.ts): a refused write gives back every grant revoked before
   * it. Each grant is announced only once all are stored. @throws StoreWriteError (503): nothing changed.
   */
  async function revokeGrants(grantIds: readonly string[]): Promise<void> {
    const rows = await authorizations.oneAtATime(
      grantIds.map((grantId) => ({ grantId })),
      () =>
        undo.atomically(async () => {
          const revoked = [];
          for (const grantId of grantIds) {
            await Promise.all([
              provider.AccessToken.revokeByGrantId(grantId),
              provider.RefreshToken.revokeByGrantId(grantId),
              provider.AuthorizationCode.revokeByGrantId(grantId),
              provider.Grant.adapter.destroy(grantId),
            ]);
            revoked.push(await authorizations.markRevoked(grantId));
          }
          return revoked;
        }),
    );
    for (const row of rows) {
      if (row) authorizations.announceRevoked(row);
      events.emit('oauth.step', {
        at: now(),
        step: 'revoke',
        clientId: row?.clientId,
        personId: row?.personId,
        detail: 'grant and all its tokens revoked by the person',
      });
    }
  }
  const revokeGrant = (grantId: string) => revokeGrants([grantId]);
  const lifetimes = createTokenLifetimes({ store, events, clock, revokeGrants });

  /** Is the stored token still there, unexpired, and its client active? (In memory: see `isLive`.) */
  function isLive(accessToken: string): boolean {
    const row = store.get('oidc', oidcRowId('AccessToken', accessToken));
    if (!row || (row.expiresAt !== undefined && row.expiresAt <= clock.now())) return false;
    return clients.get(String(row.payload['clientId']))?.status === 'active';
  }

  /**
   * Facts of tokens verified before, so that a bearer check is a map lookup plus `isLive` rather than
   * two adapter reads: revocation, expiry and shutdown show through `isLive`, a narrowed grant is
   * applied here by `narrowGrant`. Bounded; the oldest entry goes first.
   */
  const verified = new Map<string, AccessTokenInfo>();
  const VERIFIED_MAX = 10_000;
  const copy = (info: AccessTokenInfo): AccessTokenInfo => ({ ...info, scopes: [...info.scopes] });

  /** RFC 6750 bearer check: opaque token → its grant's facts. @throws InvalidTokenError */
  async function verify(accessToken: string): Promise<AccessTokenInfo> {
    if (typeof accessToken !== 'string' || !accessToken || accessToken.length > MAX_TOKEN_LENGTH)
      throw new InvalidTokenError();
    const known = verified.get(accessToken);
    if (known) {
      if (isLive(accessToken)) return copy(known);
      verified.delete(accessToken);
    }
    const at = await provider.AccessToken.find(accessToken);
    if (!at?.clientId || !at.accountId) throw new InvalidTokenError();
    const aud = Array.isArray(at.aud) ? at.aud : [at.aud];
    if (!aud.includes(audience)) throw new InvalidTokenError('The access token is not meant for this API');
    if (clients.get(at.clientId)?.status !== 'active')
      throw new InvalidTokenError('The app this token was issued to has been shut down');
    const grant = await provider.Grant.find(at.grantId);
    if (!grant) throw new InvalidTokenError();
    // A narrowed grant withdraws scopes from tokens already issued under it.
    const granted = new Set(splitScope(grant.getResourceScope(audience)));
    const info: AccessTokenInfo = {
      clientId: at.clientId,
      personId: at.accountId,
      scopes: splitScope(at.scope).filter((s) => granted.has(s)),
      grantId: at.grantId,
      // On the platform clock (store-adapter.ts); oidc-provider's `exp` is wall-clock seconds.
      expiresAt: store.get('oidc', `AccessToken:${accessToken}`)?.expiresAt ?? (at.exp ?? 0) * 1000,
      tokenKey: tokenKeyOf(accessToken),
    };
    if (at.jkt) info.jkt = at.jkt;
    verified.set(accessToken, info);
    if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    return copy(info);
  }

  /**
   * Narrows each grant to its `keep` scopes (tokens already issued lose the others at once), all or
   * nothing (request-undo.ts): a refused step gives back every grant and token narrowed before it, so
   * no token keeps a scope its grant no longer has, nor the other way round. Each grant is announced
   * only once all are stored. Resolves to the scopes left, per item.
   * @throws NotFoundError when a grant is gone (nothing changed); StoreWriteError (503): nothing changed.
   */
  function narrowGrants(items: readonly { grantId: string; keep: readonly string[] }[]): Promise<string[][]> {
    return authorizations.oneAtATime(items, () => narrowNow(items));
  }
  async function narrowNow(items: readonly { grantId: string; keep: readonly string[] }[]): Promise<string[][]> {
    const plans = await Promise.all(
      items.map(async ({ grantId, keep }) => {
        const grant = await provider.Grant.find(grantId);
        if (!grant?.accountId || !grant.clientId) throw new NotFoundError('No such grant');
        const current = splitScope(grant.getResourceScope(audience));
        return {
          grant,
          grantId,
          withdrawn: current.filter((s) => !keep.includes(s)),
          left: current.filter((s) => keep.includes(s)),
        };
      }),
    );
    await undo.atomically(async () => {
      for (const { grant, grantId, withdrawn, left } of plans) {
        withdrawResourceScopes(grant, audience, withdrawn);
        await grant.save();
        await narrowIssuedTokens(store, grantId, left);
        await authorizations.recordGrant({
          personId: grant.accountId!,
          clientId: grant.clientId!,
          grantId,
          scopes: left,
        });
      }
    });
    for (const { grant, grantId, withdrawn, left } of plans) {
      for (const [token, info] of verified)
        if (info.grantId === grantId)
          verified.set(token, { ...info, scopes: info.scopes.filter((s) => left.includes(s)) });
      events.emit('grant.narrowed', { grantId, scopes: left });
      events.emit('oauth.step', {
        at: now(),
        step: 'narrow',
        clientId: grant.clientId,
        personId: grant.accountId,
        scopes: left,
        detail: `withdrawn: ${withdrawn.join(' ') || 'nothing'}`,
      });
    }
    return plans.map((p) => p.left);
  }

  return {
    verify,

    async authenticate({ scheme, token, proof, method, path }) {
      let info: AccessTokenInfo;
      try {
        info = await verify(token);
      } catch (err) {
        // The error goes in the challenge of the scheme the client used (RFC 9449 §7.1, RFC 6750 §3).
        if (err instanceof InvalidTokenError && err.scheme !== scheme)
          throw new InvalidTokenError(err.detail, err.realm, scheme);
        throw err;
      }
      if (scheme === 'Bearer' && info.jkt) {
        throw new InvalidTokenError(
          'This access token is DPoP-bound: send it as "Authorization: DPoP <token>" with a DPoP proof (RFC 9449 §7.1)',
          'glasshouse',
          'Bearer',
        );
      }
      if (scheme === 'DPoP') {
        const jkt = await dpop.verify({
          proof,
          method,
          url: new URL(path.split('?')[0]!, publicUrl).href,
          accessToken: token,
        });
        if (!info.jkt)
          throw new InvalidTokenError(
            'This access token is not DPoP-bound: send it as "Authorization: Bearer <token>"',
            'glasshouse',
            'DPoP',
          );
        if (jkt !== info.jkt)
          throw new InvalidDpopProofError(
            'The DPoP proof is signed by another key than the one the access token is bound to (cnf.jkt)',
          );
      }
      if (info.expiresAt <= now()) throw new InvalidTokenError('The access token has expired', 'glasshouse', scheme);
      return info;
    },

    /**
     * Tokens as if `personId` had approved `scopes` for `clientId`: extends the person's current
     * grant for that client (or creates one) and records the `authorizations` row.
     * @throws NotFoundError (person or client), ForbiddenError (client shut down), InvalidScopeError.
     */
    async issue({ personId, clientId, scopes, expiresIn }) {
      if (!store.get('people', personId)) throw new NotFoundError('No such person');
      const stored = clients.get(clientId);
      if (!stored) throw new NotFoundError('No such client');
      if (stored.status !== 'active') throw new ForbiddenError(`Client ${clientId} is shut down`, 'client_shut_down');
      const wanted = checkScopes(clientId, scopes, stored.metadata['scope'] as string | undefined);
      const client = await provider.Client.find(clientId);
      if (!client) throw new ForbiddenError(`Client ${clientId} cannot be used`, 'client_invalid');

      const scope = wanted.join(' ');
      // One at a time with every other grant change: the current grant is read and recorded in one step.
      const { at, access_token, refresh_token } = await authorizations.oneAtATime(
        [{ personId, clientId }],
        async () => {
          const currentId = authorizations.activeGrantId(personId, clientId);
          const grant =
            (currentId ? await provider.Grant.find(currentId) : undefined) ??
            new provider.Grant({ accountId: personId, clientId });
          approveResourceScopes(grant, audience, wanted);
          // All or nothing (request-undo.ts): a refused step gives back the grant and tokens stored before it.
          return undo.atomically(async () => {
            const grantId = await grant.save();
            const common = { accountId: personId, client, grantId, gty: 'authorization_code' };
            const at = new provider.AccessToken({
              ...common,
              resourceServer: resourceServer(),
              scope,
              ...(expiresIn ? { expiresIn } : {}),
            });
            const access_token = await at.save();
            const refresh_token = client.grantTypeAllowed('refresh_token')
              ? await new provider.RefreshToken({ ...common, resource: audience, scope, rotations: 0 }).save()
              : undefined;
            await authorizations.recordGrant({
              personId,
              clientId,
              grantId,
              scopes: splitScope(grant.getResourceScope(audience)),
            });
            return { at, access_token, refresh_token };
          });
        },
      );
      events.emit('oauth.step', {
        at: now(),
        step: 'token',
        clientId,
        personId,
        scopes: wanted,
        detail: 'issued without a browser (TokenService.issue)',
      });
      const response: TokenResponse = { access_token, token_type: 'Bearer', expires_in: at.expiration, scope };
      if (refresh_token) response.refresh_token = refresh_token;
      return response;
    },

    isLive,
    scopesNow: (accessToken) => verified.get(accessToken)?.scopes,

    async narrowGrant(grantId, keep) {
      const [left] = await narrowGrants([{ grantId, keep }]);
      return left!;
    },

    narrowGrants,

    revokeGrant,
    expire: lifetimes.expire,
    revoke: lifetimes.revoke,
  };
}
