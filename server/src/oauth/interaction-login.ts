import type { Request } from 'express';
import type { Person } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { LOGIN_HINT_MISMATCH } from './login-policy.js';

/** What an interaction's `login` prompt needs (OIDC Core §3.1.2.1), from `interactionDetails`. */
export interface LoginPromptFacts {
  params: Record<string, unknown>;
  prompt: { name: string; reasons: string[] };
  /** When the interaction started (seconds since epoch). */
  iat?: number;
}

export interface LoginDecision {
  /** The person the app's `login_hint` names, when it is not the one logged in: offer to switch. */
  hinted?: Person;
  /** `prompt=login`, or `max_age` older than the last password check: ask for the password again. */
  needsPassword: boolean;
  /** The real time of the last password check in this web session (ms), for `auth_time`. */
  authTime: number;
}

/**
 * How to answer the `login` prompt for the person of the web session (`req.user`):
 * - `prompt=login` asks for the password unless the person typed it during this interaction;
 * - `max_age` asks for it when the last password check (`session.authTime`) is older than that;
 * - a `login_hint` (username or person id) naming someone else offers to switch account;
 * - otherwise the web session answers, with `auth_time` = its real login time (never "now").
 */
export function decideLogin(store: Store, req: Request, d: LoginPromptFacts, nowMs: number): LoginDecision {
  const authTime = req.session.authTime ?? 0;
  const freshLogin = d.iat !== undefined && authTime >= d.iat * 1000;
  const maxAge = d.params['max_age'] === undefined ? undefined : Number(d.params['max_age']);
  const tooOld = maxAge !== undefined && Number.isFinite(maxAge) && nowMs - authTime > maxAge * 1000;
  const needsPassword = !freshLogin && (d.prompt.reasons.includes('login_prompt') || tooOld);
  const hint = d.params['login_hint'];
  const hinted = typeof hint === 'string' && d.prompt.reasons.includes(LOGIN_HINT_MISMATCH) ? (store.personByUsername(hint) ?? store.get('people', hint)) : undefined;
  return { hinted: hinted && hinted.id !== req.user?.id ? hinted : undefined, needsPassword, authTime };
}
