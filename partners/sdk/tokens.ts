import * as oauth from 'oauth4webapi';
import { checkAuthorizationResponse } from './authorization-response.js';
import type { AuthorizationServerMetadata } from './discovery.js';
import type { DPoPKey } from './dpop.js';
import { GlasshouseError } from './errors.js';
import { requestOptions, tokenErrorOf } from './oauth-requests.js';

/** What the SDK keeps of a token response (RFC 6749 §5.1). */
export interface TokenSet {
  accessToken: string;
  /** Absent when the server issued none; kept from before on refresh when not rotated. */
  refreshToken?: string | undefined;
  /** ms since epoch, from `expires_in`. */
  expiresAt?: number | undefined;
  /** Space-separated granted scopes. */
  scope?: string | undefined;
  /** `bearer`, or `dpop` for a sender-constrained token (RFC 9449 §5); lower case. */
  tokenType?: string | undefined;
}

/** A confidential client's credentials (`client_secret_basic`). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Transport and clock of a token request. */
export interface TokenRequestOptions {
  fetch?: typeof fetch | undefined;
  /** Clock (ms) for `expiresAt`; default Date.now. */
  now?: (() => number) | undefined;
  /** Binds the issued access token to this key (RFC 9449 §5: a proof goes with the request). */
  dpop?: DPoPKey | undefined;
}

/**
 * The `Authorization` header of `client_secret_basic` (RFC 6749 §2.3.1: id and secret
 * form-urlencoded, then base64), as oauth4webapi writes it.
 */
export function basicAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  const headers = new Headers();
  oauth.ClientSecretBasic(clientSecret)(
    { issuer: 'urn:glasshouse:unused' },
    { client_id: clientId },
    new URLSearchParams(),
    headers,
  );
  return headers.get('authorization')!;
}

function toTokenSet(
  t: oauth.TokenEndpointResponse,
  previousRefreshToken: string | undefined,
  now: () => number,
): TokenSet & { raw: Record<string, unknown> } {
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? previousRefreshToken,
    expiresAt: t.expires_in === undefined ? undefined : now() + t.expires_in * 1000,
    scope: t.scope,
    tokenType: t.token_type,
    raw: { ...t },
  };
}

/** Runs one token request and reads its answer; every failure becomes the SDK's error family. */
async function tokenRequest(
  grantType: string,
  request: () => Promise<Response>,
  process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
): Promise<oauth.TokenEndpointResponse> {
  try {
    return await process(await request());
  } catch (err) {
    throw await tokenErrorOf(err, grantType);
  }
}

/**
 * The authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.5) and
 * `client_secret_basic`, after checking the authorization response: its RFC 9207 `iss` and its
 * `state` against `expectedState` (see `checkAuthorizationResponse`).
 * @param callback the query of the redirect URI as received (`code`, `state`, `iss`).
 * @throws GlasshouseIssuerError / GlasshouseError when the response is not usable; GlasshouseTokenError
 * (`grantType: 'authorization_code'`) when the token endpoint refuses (`invalid_grant`: expired or used
 * code) or fails (5xx); GlasshouseUnreachableError.
 */
export async function exchangeCode(
  metadata: AuthorizationServerMetadata,
  client: ClientCredentials,
  input: { callback: URLSearchParams; redirectUri: string; codeVerifier: string; expectedState: string },
  options: TokenRequestOptions = {},
): Promise<TokenSet & { raw: Record<string, unknown> }> {
  const as = metadata as oauth.AuthorizationServer;
  const oauthClient: oauth.Client = { client_id: client.clientId };
  let params: URLSearchParams;
  try {
    params = checkAuthorizationResponse(metadata, client.clientId, input.callback, input.expectedState);
  } catch (err) {
    if (!(err instanceof oauth.AuthorizationResponseError)) throw err;
    throw new GlasshouseError(`The authorization response is an error: ${err.error}`, { cause: err });
  }
  const DPoP = await options.dpop?.handle();
  const t = await tokenRequest(
    'authorization_code',
    () =>
      oauth.authorizationCodeGrantRequest(
        as,
        oauthClient,
        oauth.ClientSecretBasic(client.clientSecret),
        params,
        input.redirectUri,
        input.codeVerifier,
        requestOptions(options.fetch ?? fetch, DPoP),
      ),
    (response) => oauth.processAuthorizationCodeResponse(as, oauthClient, response),
  );
  return toTokenSet(t, undefined, options.now ?? Date.now);
}

/**
 * The refresh token grant (RFC 6749 §6) with `client_secret_basic`; a refresh token that was not
 * rotated is kept.
 * @throws GlasshouseTokenError (`grantType: 'refresh_token'`): `invalid_grant` when the grant was
 * revoked or the token expired, `invalid_client` when the client is refused, 5xx as `server_error`;
 * GlasshouseUnreachableError.
 */
export async function refreshTokens(
  metadata: AuthorizationServerMetadata,
  client: ClientCredentials,
  refreshToken: string,
  options: TokenRequestOptions = {},
): Promise<TokenSet & { raw: Record<string, unknown> }> {
  const as = metadata as oauth.AuthorizationServer;
  const oauthClient: oauth.Client = { client_id: client.clientId };
  const DPoP = await options.dpop?.handle();
  const t = await tokenRequest(
    'refresh_token',
    () =>
      oauth.refreshTokenGrantRequest(
        as,
        oauthClient,
        oauth.ClientSecretBasic(client.clientSecret),
        refreshToken,
        requestOptions(options.fetch ?? fetch, DPoP),
      ),
    (response) => oauth.processRefreshTokenResponse(as, oauthClient, response),
  );
  return toTokenSet(t, refreshToken, options.now ?? Date.now);
}

/**
 * POSTs a grant to the token endpoint with `client_secret_basic` authentication: `refresh_token`
 * (with `refresh_token`) or `authorization_code` (with `code`, `code_verifier`, `redirect_uri`,
 * the authorization response already checked by the caller).
 * @deprecated Use `exchangeCode` (which also checks the response's `iss` and `state`) or
 * `refreshTokens` with the discovered metadata. Kept for callers that know only the token endpoint;
 * the issuer is then taken to be the endpoint's origin.
 * @throws GlasshouseTokenError with the RFC 6749 §5.2 `error`; GlasshouseUnreachableError;
 * GlasshouseError for another grant type.
 */
export async function requestToken(
  tokenEndpoint: string,
  client: ClientCredentials,
  params: Record<string, string>,
  fetchImpl: typeof fetch = fetch,
  now: () => number = Date.now,
): Promise<TokenSet & { raw: Record<string, unknown> }> {
  const metadata = {
    issuer: new URL(tokenEndpoint).origin,
    authorization_endpoint: tokenEndpoint,
    token_endpoint: tokenEndpoint,
  };
  const options = { fetch: fetchImpl, now };
  if (params['grant_type'] === 'refresh_token')
    return refreshTokens(metadata, client, params['refresh_token'] ?? '', options);
  if (params['grant_type'] === 'authorization_code') {
    const callback = new URLSearchParams({ code: params['code'] ?? '', state: 'checked-by-the-caller' });
    const input = {
      callback,
      redirectUri: params['redirect_uri'] ?? '',
      codeVerifier: params['code_verifier'] ?? '',
      expectedState: 'checked-by-the-caller',
    };
    return exchangeCode(metadata, client, input, options);
  }
  throw new GlasshouseError(`requestToken: unsupported grant_type ${params['grant_type'] ?? '(none)'}`);
}
