import { errors, type Configuration, type ErrorOut, type KoaContextWithOIDC } from 'oidc-provider';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { tokenKeyOf } from '../http/bearer-auth.js';
import type { Store } from '../store/store.js';
import type { Authorizations } from './authorizations.js';
import type { ClientRegistry } from './client-registry.js';
import type { ProviderKeys } from './keys.js';
import { DOCS_CLIENT_ID } from './docs-client.js';
import { DPOP_ALGS } from './dpop.js';
import { personOfLoginHint } from './interaction-login.js';
import { webSessionPolicy } from './login-policy.js';
import { validateRedirectUris } from './redirect-uri-rules.js';
import { API_SCOPES, KNOWN_SCOPES, apiAudience, splitScope } from './scopes.js';
import { storeAdapterFactory } from './store-adapter.js';

/** Lifetimes in seconds. Codes are single-use and short-lived (RFC 9700 §4.5, RFC 6749 §4.1.2). */
export const TTL = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  RefreshToken: 30 * 24 * 60 * 60,
  Grant: 365 * 24 * 60 * 60,
  IdToken: 60 * 60,
  Interaction: 10 * 60,
  Session: 14 * 24 * 60 * 60,
} as const;

export interface ProviderConfigDeps {
  config: Config;
  store: Store;
  clients: ClientRegistry;
  authorizations: Authorizations;
  keys: ProviderKeys;
  /** Expiry of every stored code, token, session and interaction (store-adapter.ts). */
  clock: Clock;
  /** Injected faults: a `refuse-refresh` fault refuses the refresh_token grant. */
  faults: FaultInjector;
  /**
   * Renders, as the response's HTML body, an error the provider cannot send back to a client
   * (unregistered redirect URI, unknown or shut-down client, a refused write: storage-refusal.ts).
   */
  renderError(ctx: KoaContextWithOIDC, out: ErrorOut): void;
}

/**
 * RFC 6749 §4.1.2.1 / §3.3: every requested scope must be known; an empty request is refused too.
 * (Scopes outside the client's registered `scope` are refused by oidc-provider's own check.)
 */
async function checkKnownScopes(_ctx: KoaContextWithOIDC, value: string | undefined): Promise<void> {
  const scopes = splitScope(value);
  if (scopes.length === 0) throw new errors.InvalidScope('at least one scope must be requested', '');
  const unknown = scopes.filter((s) => !KNOWN_SCOPES.has(s));
  if (unknown.length) throw new errors.InvalidScope(`unknown scope: ${unknown.join(' ')}`, unknown.join(' '));
}

/**
 * The oidc-provider 9 configuration of Glasshouse: authorization code + PKCE S256 for every client,
 * refresh tokens with rotation, opaque access tokens for the messaging API audience (RFC 8707 via
 * `resourceIndicators`), revocation (RFC 7009), introspection (RFC 7662, a client sees only its own
 * tokens), Dynamic Client Registration (RFC 7591, `ADMIN_TOKEN` as initial access token), RFC 8414
 * metadata. Login and consent are our express routes under /interaction/:uid; devInteractions off.
 */
export function providerConfiguration(deps: ProviderConfigDeps): Configuration {
  const { config, store, clients, authorizations, keys, clock, faults } = deps;
  const audience = apiAudience(config.PLATFORM_URL);
  return {
    adapter: storeAdapterFactory(store, clients, clock, config.PENDING_SIGN_INS_MAX),
    jwks: keys.jwks as Configuration['jwks'],
    cookies: {
      keys: keys.cookieKeys,
      names: { session: 'glasshouse.oidc', interaction: 'glasshouse.interaction', resume: 'glasshouse.resume' },
    },
    async findAccount(_ctx, id) {
      const person = store.get('people', id);
      if (!person) return undefined;
      return {
        accountId: person.id,
        claims: () => ({ sub: person.id, preferred_username: person.username, name: person.displayName }),
      };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    scopes: [...KNOWN_SCOPES],
    extraParams: { scope: checkKnownScopes },
    responseTypes: ['code'],
    // `none`: public clients (RFC 6749 §2.1) such as the API docs page (README "Messaging API for partners"), PKCE-only.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    // Registration-time redirect URI rules (RFC 9700 §4.1.3, RFC 8252 §7.3/§8.3): redirect-uri-rules.ts.
    extraClientMetadata: { properties: ['redirect_uris'], validator: validateRedirectUris },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Called in the refresh_token grant after the token's checks and before anything changes: the
    // one place an injected `refuse-refresh` fault can refuse it with the refresh token left intact.
    rotateRefreshToken(ctx) {
      const clientId = ctx.oidc.client?.clientId ?? '';
      const value = ctx.oidc.params?.['refresh_token'];
      const ownerId = ctx.oidc.entities.RefreshToken?.accountId ?? '';
      const fault = faults.take('refresh', {
        clientId,
        tokenKey: typeof value === 'string' ? tokenKeyOf(value) : '',
        ownerId,
        operation: 'POST /token (refresh_token grant)',
      });
      if (fault) throw new errors.InvalidGrant('refresh refused (injected fault)');
      return true;
    },
    // Partner tokens must not die with the browser session at the provider (logout, account switch).
    expiresWithSession: () => false,
    async loadExistingGrant(ctx) {
      const { result, session, client, provider } = ctx.oidc;
      const grantId =
        result?.consent?.grantId ??
        (session?.accountId && client ? authorizations.activeGrantId(session.accountId, client.clientId) : undefined);
      return grantId ? provider.Grant.find(grantId) : undefined;
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: webSessionPolicy((hint) => personOfLoginHint(store, hint)?.id),
    },
    renderError: (ctx, out) => deps.renderError(ctx, out),
    // Browser calls to /token, /token/revocation… (CORS): only the API docs page, from the platform's
    // own origin (docs-client.ts); partners call from their servers.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === DOCS_CLIENT_ID && origin === new URL(config.PLATFORM_URL).origin,
    enabledJWA: { dPoPSigningAlgValues: [...DPOP_ALGS] },
    // A provider session of nobody yet (a stale cookie's, before a login) lives as long as a sign-in.
    ttl: { ...TTL, Session: (_ctx, session) => (session.accountId ? TTL.Session : TTL.Interaction) },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      // The Glasshouse web session is the login; an RP-initiated logout of the provider's own
      // session alone would end nothing a person can see (README "OAuth 2.0": not advertised).
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      // RFC 7009 §2.1: a token issued to another client is refused with an error, not ignored with a
      // 200 (a public client, which anyone can act as, gets the silent 200: no oracle for tokens).
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('the token was not issued to this client');
        },
      },
      registration: { enabled: true, initialAccessToken: config.ADMIN_TOKEN },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? audience,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== audience) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: API_SCOPES.join(' '),
            audience,
            accessTokenFormat: 'opaque',
            accessTokenTTL: TTL.AccessToken,
          };
        },
      },
    },
  };
}
