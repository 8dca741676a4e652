import { basicAuthorization, discover } from '../sdk/index.js';
import type { PartnerConfig } from './config.js';

/** How long a checked standing is trusted before asking the platform again (ms). */
export const STANDING_CACHE_MS = 5000;
/** The landing page waits at most this long for the answer (ms). */
const STANDING_TIMEOUT_MS = 800;

/**
 * Whether the platform still accepts this app as a client, for the landing page of a fresh visitor
 * (who has no session that could have met the refusal). Asks the RFC 7662 introspection endpoint
 * about a dummy token with this client's credentials: a shut-down client is refused there with 401
 * `invalid_client` (RFC 6749 §5.2); an accepted one gets 200 `{ "active": false }`. Remembered for
 * `STANDING_CACHE_MS`; a platform that does not answer counts as "not known to be shut down".
 */
export function createClientStanding(
  config: Pick<PartnerConfig, 'platformUrl' | 'clientId' | 'clientSecret'>,
  options: { now?: () => number } = {},
) {
  const now = options.now ?? Date.now;
  let cached: { shutDown: boolean; at: number } | undefined;
  let pending: Promise<boolean> | undefined;

  async function check(): Promise<boolean> {
    // One deadline for both requests: a platform that accepts connections but never answers costs one timeout.
    const signal = AbortSignal.timeout(STANDING_TIMEOUT_MS);
    try {
      const { introspection_endpoint: endpoint } = await discover(config.platformUrl, (url, init) =>
        fetch(url, { ...init, signal }),
      );
      if (!endpoint) return false;
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(config),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token: 'standing-check' }).toString(),
        signal,
      });
      const body = (await res.json().catch(() => ({}))) as { error?: unknown };
      return res.status === 401 && body.error === 'invalid_client';
    } catch {
      return false;
    }
  }

  return {
    /** True when the platform refuses this client (shut down). Never throws. */
    async shutDown(): Promise<boolean> {
      if (cached && now() - cached.at < STANDING_CACHE_MS) return cached.shutDown;
      pending ??= check()
        .then((shutDown) => {
          cached = { shutDown, at: now() };
          return shutDown;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
  };
}

export type ClientStanding = ReturnType<typeof createClientStanding>;
