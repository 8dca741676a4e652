import { getPolicyMode, type PolicyMode } from '../sdk/index.js';

/** How long a fetched policy is shown before asking the platform again (ms). */
export const POLICY_CACHE_MS = 2000;
/** A page waits at most this long for the platform's policy (ms). */
export const POLICY_TIMEOUT_MS = 500;

/** What the badge on every partner page shows: the platform's mode, or `unknown` when it did not answer. */
export type PolicyBadgeMode = PolicyMode | 'unknown';

export interface PolicyBadge {
  mode: PolicyBadgeMode;
  /** The badge's tooltip. */
  title: string;
}

const TITLES: Record<PolicyBadgeMode, string> = {
  broad: 'as reported in 2018: this app can read all your conversations',
  'least-privilege': 'this app sees only conversations it posted in',
  unknown: 'Glasshouse is not answering: the policy in force is not known',
};

/**
 * The platform's access policy for one partner app's pages: `GET /policy` with a short timeout,
 * remembered for `POLICY_CACHE_MS` (failures too, so a platform that is down costs one timeout per
 * period, not one per page). Concurrent pages share one request. Never throws.
 */
export function createPolicyBadges(deps: {
  platformUrl: string;
  now?: () => number;
  cacheMs?: number;
  timeoutMs?: number;
}) {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? POLICY_CACHE_MS;
  let cached: { badge: PolicyBadge; at: number } | undefined;
  let pending: Promise<PolicyBadge> | undefined;

  async function fetchBadge(): Promise<PolicyBadge> {
    const mode = await getPolicyMode(deps.platformUrl, { timeoutMs: deps.timeoutMs ?? POLICY_TIMEOUT_MS }).catch(
      (): PolicyBadgeMode => 'unknown',
    );
    const badge = { mode, title: TITLES[mode] };
    cached = { badge, at: now() };
    return badge;
  }

  return {
    /** The badge to draw now. */
    current(): Promise<PolicyBadge> {
      if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.badge);
      pending ??= fetchBadge().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

export type PolicyBadges = ReturnType<typeof createPolicyBadges>;
