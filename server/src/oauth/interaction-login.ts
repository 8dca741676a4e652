import type { Request } from 'express';
import type { Person } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { withoutHidden } from '../store/text.js';
import { LOGIN_HINT_MISMATCH } from './login-policy.js';

/** What an interaction's `login` prompt needs (OIDC Core §3.1.2.1), from `interactionDetails`. */
export interface LoginPromptFacts {
  params: Record<string, unknown>;
  prompt: { name: string; reasons: string[] };
  /** The interaction (sign-in request) id. */
  uid: string;
}

export interface LoginDecision {
  /**
   * Who the app's `login_hint` names, when it is not the one logged in: offer to switch. A hint that
   * names nobody known is shown as given (at most 64 characters, without control or invisible
   * characters: `withoutHidden`): the person still chooses.
   */
  hinted?: Pick<Person, 'username' | 'displayName'> & { id?: string };
  /** `prompt=login`, or `max_age` older than the last password check: ask for the password again. */
  needsPassword: boolean;
  /** The real time of the last password check in this web session (ms), for `auth_time`. */
  authTime: number;
}

/**
 * The person a `login_hint` names (OIDC Core §3.1.2.1; README "Login prompts"): a username, with or
 * without the `@` the pages show and in any case, or a person id; surrounding spaces ignored.
 */
export function personOfLoginHint(store: Store, hint: string): Person | undefined {
  const name = hint.trim();
  return store.personByUsername(name.replace(/^@/, '')) ?? store.get('people', name);
}

/**
 * How to answer the `login` prompt for the person of the web session (`req.user`):
 * - `prompt=login` asks for the password unless the person typed it during this interaction
 *   (`session.passwordInteraction`, set by POST /login and POST /interaction/:uid/login);
 * - `max_age` asks for it when the last password check (`session.authTime`) is older than that;
 * - a `login_hint` (username or person id) naming someone else, or nobody known, offers to switch
 *   account next to "Continue as …";
 * - otherwise the web session answers, with `auth_time` = its real login time (never "now").
 */
export function decideLogin(store: Store, req: Request, d: LoginPromptFacts, nowMs: number): LoginDecision {
  const authTime = req.session.authTime ?? 0;
  // The password was typed during this very sign-in (not merely in the same clock second it started).
  const freshLogin = req.session.passwordInteraction === d.uid;
  const maxAge = d.params['max_age'] === undefined ? undefined : Number(d.params['max_age']);
  // max_age=0 always asks (OIDC Core §3.1.2.1: like prompt=login).
  const tooOld = maxAge !== undefined && Number.isFinite(maxAge) && (maxAge === 0 || nowMs - authTime > maxAge * 1000);
  const needsPassword = !freshLogin && (d.prompt.reasons.includes('login_prompt') || tooOld);
  const hint = d.params['login_hint'];
  // Echoed on the page: without characters that would show it as another text (a bidi override).
  const asGiven = typeof hint === 'string' ? withoutHidden(hint).trim().replace(/^@/, '').slice(0, 64) : '';
  const hinted: LoginDecision['hinted'] =
    asGiven !== '' && d.prompt.reasons.includes(LOGIN_HINT_MISMATCH)
      ? (personOfLoginHint(store, asGiven) ?? { username: asGiven, displayName: asGiven })
      : undefined;
  return { hinted: hinted && hinted.id !== req.user?.id ? hinted : undefined, needsPassword, authTime };
}
