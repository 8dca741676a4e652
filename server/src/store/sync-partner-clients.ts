import { partnerClient } from '../../../seed/world.js';
import { DELETION_URI_METADATA } from '../../../partners/sdk/data-deletion.js';
import type { Client } from './schema.js';
import type { Store } from './store.js';

/** Where a built-in partner runs and the secret its app authenticates with. */
export interface BuiltInPartnerRegistration {
  /** e.g. http://localhost:3001; the redirect URI is `${baseUrl}/auth/callback`. */
  baseUrl: string;
  clientSecret: string;
  /**
   * The app binds its tokens to a DPoP key (`PARTNERS_DPOP`): registered as `dpop_bound_access_tokens`
   * (RFC 9449 §5.2), so the token endpoint refuses its requests without a proof — a refresh without
   * one would otherwise turn the grant's tokens into plain bearer tokens.
   */
  dpop?: boolean;
}

/**
 * Makes the stored registrations of the built-in partners (`tunewave`, `reelbox`) match where
 * their apps run now: redirect URIs, client URI, data-deletion URI, secret and DPoP binding follow `partners`; status (a shut-down
 * partner stays shut down) and the rest stay as stored. A missing registration is recreated.
 * Returns the ids it changed. Run it before `createPlatform`.
 */
export async function syncPartnerClients(
  store: Store,
  partners: Record<'tunewave' | 'reelbox', BuiltInPartnerRegistration>,
): Promise<string[]> {
  const changed: string[] = [];
  for (const id of ['tunewave', 'reelbox'] as const) {
    const { baseUrl, clientSecret, dpop } = partners[id];
    const wanted = partnerClient(id, baseUrl);
    const stored = store.client(id);
    const { dpop_bound_access_tokens: _bound, ...storedMetadata } = stored?.metadata ?? {};
    const next: Client = {
      ...wanted,
      ...(stored ? { name: stored.name, status: stored.status } : {}),
      metadata: {
        ...wanted.metadata,
        ...storedMetadata,
        client_uri: wanted.metadata['client_uri'],
        redirect_uris: wanted.metadata['redirect_uris'],
        post_logout_redirect_uris: wanted.metadata['post_logout_redirect_uris'],
        [DELETION_URI_METADATA]: wanted.metadata[DELETION_URI_METADATA],
        client_secret: clientSecret,
        ...(dpop ? { dpop_bound_access_tokens: true } : {}),
      },
    };
    if (JSON.stringify(next) !== JSON.stringify(stored)) {
      await store.put('clients', next);
      changed.push(id);
    }
  }
  return changed;
}
