import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

/** The authorization server's private signing keys (JWKS) and cookie signing keys. */
export interface ProviderKeys {
  /** Private JWKs; ES256 (P-256) signs ID tokens. */
  jwks: { keys: Record<string, unknown>[] };
  /** Secrets that sign the provider's cookies (newest first, Keygrip order). */
  cookieKeys: string[];
}

/**
 * The keys kept in the store's `settings` row, generated once on first use so that ID tokens and
 * provider cookies survive restarts. Never logged. Writing the settings is fire-and-forget: the
 * keys are usable at once and a failed write is logged (they would be generated again next start).
 */
export function loadOrCreateKeys(store: Store, logger: Logger): ProviderKeys {
  const settings = store.settings();
  if (settings.jwks?.keys.length && settings.cookieKeys?.length) {
    return { jwks: settings.jwks, cookieKeys: settings.cookieKeys };
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'ES256', use: 'sig' };
  const keys: ProviderKeys = { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] };
  store.put('settings', { ...settings, ...keys }).catch((err: unknown) => {
    logger.error({ err }, 'could not persist the authorization server keys');
  });
  return keys;
}
