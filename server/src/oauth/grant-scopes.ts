import type { Grant } from 'oidc-provider';
import type { Store } from '../store/store.js';
import type { OidcRecord } from '../store/schema.js';
import { isApiScope, splitScope } from './scopes.js';

/** The part of oidc-provider's Grant payload that holds rejected scopes (lib/models/grant.js). */
interface RejectedPart {
  rejected?: { resources?: Record<string, string> };
}

/**
 * Grants `scopes` for `resource` on `grant`: added to the granted set and taken off the rejected set
 * (oidc-provider subtracts rejected scopes from granted ones, and counts them as "encountered", so a
 * rejected scope would neither be asked again nor be granted by an Allow).
 */
export function approveResourceScopes(grant: Grant, resource: string, scopes: readonly string[]): void {
  if (scopes.length === 0) return;
  grant.addResourceScope(resource, scopes.join(' '));
  const rejected = (grant as unknown as RejectedPart).rejected?.resources;
  if (rejected?.[resource]) {
    const left = splitScope(rejected[resource]).filter((s) => !scopes.includes(s));
    if (left.length) rejected[resource] = left.join(' ');
    else delete rejected[resource];
  }
}

/**
 * Withdraws `scopes` from `grant` for `resource`: they are no longer granted, and not rejected either,
 * so the app asking for them again gets a consent page that lists them (README "Apps and websites").
 */
export function withdrawResourceScopes(grant: Grant, resource: string, scopes: readonly string[]): void {
  const granted = (grant.resources ?? {})[resource];
  if (granted === undefined) return;
  const left = splitScope(granted).filter((s) => !scopes.includes(s));
  if (left.length) grant.resources![resource] = left.join(' ');
  else delete grant.resources![resource];
  const rejected = (grant as unknown as RejectedPart).rejected?.resources;
  if (rejected?.[resource]) delete rejected[resource];
  // oidc-provider also records every known scope (ours included) in the grant's OIDC part.
  const oidc = (grant as unknown as { openid?: { scope?: string } }).openid;
  if (oidc?.scope)
    oidc.scope = splitScope(oidc.scope)
      .filter((s) => !scopes.includes(s))
      .join(' ');
}

/** Models whose stored payload carries a `scope` issued under a grant. */
const SCOPED_MODELS = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode']);

/**
 * Narrows every code and token already issued under `grantId` to API scopes in `keep` (non-API
 * scopes such as `openid` stay): introspection's `scope` (RFC 7662 §2.2), refreshes, the API and the
 * partner socket then all see what the token can do now.
 */
export async function narrowIssuedTokens(store: Store, grantId: string, keep: readonly string[]): Promise<void> {
  const narrowedRows: OidcRecord[] = [];
  for (const row of store.oidcFind(`grant:${grantId}`)) {
    const scope = row.payload['scope'];
    if (!SCOPED_MODELS.has(row.model) || typeof scope !== 'string') continue;
    const narrowed = splitScope(scope)
      .filter((s) => !isApiScope(s) || keep.includes(s))
      .join(' ');
    if (narrowed !== scope) narrowedRows.push({ ...row, payload: { ...row.payload, scope: narrowed } });
  }
  // One commit, applied as it is built: awaiting a write per row would let a code be consumed (or a
  // token rotated) in between and then written back as it was read, unconsumed.
  await store.putMany('oidc', narrowedRows);
}
