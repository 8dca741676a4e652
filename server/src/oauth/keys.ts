import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { signingJwkSchema, type ProviderJwks } from '../store/provider-keys-schema.js';
import type { Store } from '../store/store.js';

/** The authorization server's private signing keys (JWKS) and cookie signing keys. */
export interface ProviderKeys {
  /** Private JWKs; ES256 (P-256) signs ID tokens. */
  jwks: ProviderJwks;
  /** Secrets that sign the provider's cookies (newest first, Keygrip order). */
  cookieKeys: string[];
}

/**
 * Writes `keys` into the store's `settings` row unless they are there already (e.g. after the world
 * was reset to the seed). Fire-and-forget: a failed write is logged, never the keys themselves.
 */
export function persistKeys(store: Store, keys: ProviderKeys, logger: Logger): void {
  const settings = store.settings();
  if (settings.jwks?.keys.length && settings.cookieKeys?.length) return;
  store.put('settings', { ...settings, ...keys }).catch((err: unknown) => {
    logger.error({ err }, 'could not persist the authorization server keys');
  });
}

/**
 * The keys kept in the store's `settings` row, generated once on first use (an ES256 key pair and a
 * 256-bit cookie secret) so that ID tokens and provider cookies survive restarts. Never logged.
 */
export function loadOrCreateKeys(store: Store, logger: Logger): ProviderKeys {
  const settings = store.settings();
  if (settings.jwks?.keys.length && settings.cookieKeys?.length) {
    return { jwks: settings.jwks, cookieKeys: settings.cookieKeys };
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // Held to the data file's rules (provider-keys-schema.ts) as made, so that the next start loads them.
  const jwk = signingJwkSchema.parse({
    ...privateKey.export({ format: 'jwk' }),
    kid: randomUUID(),
    alg: 'ES256',
    use: 'sig',
  });
  const keys: ProviderKeys = { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] };
  persistKeys(store, keys, logger);
  return keys;
}
