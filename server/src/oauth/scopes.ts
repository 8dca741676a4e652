/**
 * The scopes of the messaging API and how the consent and apps pages describe them in plain words.
 * The list itself is the wire contract's (`partners/sdk/scopes.ts`), see
 * README, "Layers and the direction of imports"; the provider config, the token service and the
 * pages use it from here.
 */
import { API_SCOPES, type ApiScope } from '../../../partners/sdk/scopes.js';

export { API_SCOPES, type ApiScope };

/** OpenID Connect scopes the provider also knows (ID token with `sub`, name, username). */
export const OIDC_ONLY_SCOPES = ['openid'] as const;

/** Every scope value a client may ask for; anything else is `invalid_scope` (RFC 6749 §4.1.2.1). */
export const KNOWN_SCOPES: ReadonlySet<string> = new Set<string>([...OIDC_ONLY_SCOPES, ...API_SCOPES]);

/** True for the six messaging API scopes (not `openid`). */
export function isApiScope(scope: string): scope is ApiScope {
  return (API_SCOPES as readonly string[]).includes(scope);
}

/** The messaging API's resource indicator (RFC 8707) and token audience: `${PLATFORM_URL}/api/v1`. */
export function apiAudience(platformUrl: string): string {
  return `${platformUrl}/api/v1`;
}

/** Splits a space-delimited scope string (RFC 6749 §3.3) into distinct values, order kept. */
export function splitScope(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter(Boolean))];
}

/**
 * What a scope lets `appName` do, as a person would say it. `risky` marks scopes that reach other
 * people's data (shown with a warning on the consent page).
 */
export function describeScope(scope: string, appName: string): { scope: string; text: string; risky: boolean } {
  const texts: Record<ApiScope | (typeof OIDC_ONLY_SCOPES)[number], [string, boolean]> = {
    openid: ['know who you are on Glasshouse', false],
    profile: ['see your name and username', false],
    'friends:read': ['see the list of your friends', true],
    'messages:read': ['read all your private conversations, including what your friends wrote', true],
    'messages:write': ['send messages as you', true],
    'messages:delete': ['delete messages in your conversations', true],
    'threads:participants': [`see everyone in your conversations, including people who never used ${appName}`, true],
  };
  const [text, risky] = texts[scope as ApiScope] ?? [`use the permission "${scope}"`, true];
  return { scope, text, risky };
}
