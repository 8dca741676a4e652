import { errors, type KoaContextWithOIDC } from 'oidc-provider';

/** Loopback IP literals (RFC 8252 §7.3); `localhost` is not one (§8.3). */
const LOOPBACK_IP_LITERALS = new Set(['127.0.0.1', '[::1]']);

/**
 * Why `uri` may not be registered by a client of `applicationType`, or undefined when it may
 * (README "OAuth 2.0", redirect URI rules):
 * - no wildcards anywhere: redirect URIs are compared as exact strings (RFC 9700 §4.1.3, §2.1);
 * - no user name or password (`https://tunewave.example@evil.example/`, RFC 3986 §7.6); a host's
 *   trailing dot is ignored (`localhost.` is localhost);
 * - `web` clients: `https`, or `http` on a loopback IP literal (exact port; RFC 9700 §2.1, §4.1.3);
 * - `native` clients: `http` on a loopback IP literal, where any port is accepted at authorization
 *   time (RFC 8252 §7.3), a claimed `https` URI (§7.2) or a private-use scheme with a dot (§7.1);
 *   `localhost` is refused (§8.3: it may resolve elsewhere and is not a loopback IP literal).
 */
export function redirectUriProblem(uri: string, applicationType: 'web' | 'native'): string | undefined {
  if (uri.includes('*'))
    return `${uri}: wildcards are not allowed, redirect URIs are matched exactly (RFC 9700 section 4.1.3)`;
  if (!URL.canParse(uri)) return `${uri}: not an absolute URI`;
  const { protocol, hostname: rawHost, hash, username, password } = new URL(uri);
  if (hash || uri.includes('#')) return `${uri}: must not contain a fragment (RFC 6749 section 3.1.2)`;
  // `https://tunewave.example@evil.example/cb` goes to evil.example (RFC 3986 section 7.6).
  if (username || password) return `${uri}: must not contain a user name or password (RFC 3986 section 7.6)`;
  // A fully qualified name's trailing dot (`localhost.`) names the same host (RFC 1034 section 3.1).
  const hostname = rawHost.replace(/\.$/, '');
  const loopbackLiteral = LOOPBACK_IP_LITERALS.has(hostname);
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    return `${uri}: use the loopback IP literal 127.0.0.1 or [::1] instead of localhost (RFC 8252 section 8.3)`;
  }
  if (protocol === 'https:')
    return loopbackLiteral && applicationType === 'native'
      ? `${uri}: native clients use http on loopback (RFC 8252 section 7.3)`
      : undefined;
  if (protocol === 'http:')
    return loopbackLiteral
      ? undefined
      : `${uri}: http is only allowed on a loopback IP literal (127.0.0.1 or [::1]); use https`;
  if (applicationType === 'native' && protocol.slice(0, -1).includes('.')) return undefined;
  return applicationType === 'native'
    ? `${uri}: native clients use http on a loopback IP literal, a claimed https URI, or a private-use scheme such as com.example.app: (RFC 8252 section 7)`
    : `${uri}: web clients use https, or http on a loopback IP literal`;
}

/**
 * oidc-provider `extraClientMetadata` validator for `redirect_uris`: applies `redirectUriProblem`
 * to every URI of a client being registered or updated (RFC 7591 §2; `ctx` is set then), and of a
 * `native` client loaded from the store. Web clients loaded from the store (the built-in partners,
 * written by the operator) are not re-judged.
 * @throws oidc-provider's InvalidRedirectUri (`invalid_redirect_uri`, RFC 7591 §3.2.2) naming the URI.
 */
export function validateRedirectUris(
  ctx: KoaContextWithOIDC | undefined,
  key: string,
  value: unknown,
  metadata: Record<string, unknown>,
): void {
  if (key !== 'redirect_uris' || !Array.isArray(value)) return;
  const applicationType = metadata['application_type'] === 'native' ? 'native' : 'web';
  // Loaded from the store (no ctx): the operator's web clients (the built-in partners, at
  // http://localhost) are not re-judged; native ones are, because oidc-provider accepts any port on
  // a native client's loopback redirect URI, `localhost` included, and a data file written before
  // these rules may hold one (RFC 8252 §8.3). Such a client then fails to load: invalid_client.
  if (ctx === undefined && applicationType !== 'native') return;
  for (const uri of value) {
    const problem =
      typeof uri === 'string' ? redirectUriProblem(uri, applicationType) : 'redirect URIs must be strings';
    if (problem) throw Object.assign(new errors.InvalidRedirectUri(), { error_description: problem });
  }
}
