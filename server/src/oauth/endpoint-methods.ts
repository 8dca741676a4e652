import type Provider from 'oidc-provider';

/**
 * The methods oidc-provider routes at each endpoint the platform enables, by its route name and a
 * suffix for the endpoints below one (its `lib/helpers/initialize_app.js` with provider-config.ts's
 * features: no POST to the authorization endpoint, no registration management, no userinfo).
 * test/http/not-found.test.ts holds this table to the provider's real router (every method at every endpoint).
 */
const ROUTED: ReadonlyArray<readonly [route: string, below: '' | '/:id', methods: string]> = [
  ['authorization', '', 'GET, HEAD'], // RFC 6749 §3.1
  ['authorization', '/:id', 'GET, HEAD'], // the resume after login and consent
  ['token', '', 'POST'], // RFC 6749 §3.2
  ['revocation', '', 'POST'], // RFC 7009 §2.1
  ['introspection', '', 'POST'], // RFC 7662 §2.1
  ['registration', '', 'POST'], // RFC 7591 §3.1
  ['registration', '/:id', 'GET, HEAD'], // RFC 7592 §2.1 (read only)
  ['pushed_authorization_request', '', 'POST'], // RFC 9126 §2
  ['end_session_confirm', '', 'POST'],
  ['jwks', '', 'GET, HEAD'],
];
/** RFC 8414 §3 and OpenID Connect Discovery §4. */
const DISCOVERY = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

/**
 * `Allow` for a path of the authorization server (RFC 9110 §10.2.1: the methods it routes there,
 * and OPTIONS, which the provider answers for CORS and we for anyone else), or undefined for a path
 * that is none of its endpoints. Paths as `provider.pathFor` gives them.
 */
export function endpointMethods(provider: Provider): (path: string) => string | undefined {
  const exact = new Map<string, string>(DISCOVERY.map((path) => [path, 'GET, HEAD, OPTIONS']));
  const below = new Map<string, string>();
  for (const [route, suffix, methods] of ROUTED)
    (suffix ? below : exact).set(provider.pathFor(route), `${methods}, OPTIONS`);
  return (given) => {
    // The provider's router takes a path with one trailing slash as the path itself (`/jwks/`).
    const path = given.length > 1 && given.endsWith('/') ? given.slice(0, -1) : given;
    const known = exact.get(path);
    if (known) return known;
    const slash = path.lastIndexOf('/');
    return slash > 0 && slash < path.length - 1 ? below.get(path.slice(0, slash)) : undefined;
  };
}
