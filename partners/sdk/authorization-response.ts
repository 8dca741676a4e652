import * as oauth from 'oauth4webapi';
import type { AuthorizationServerMetadata } from './discovery.js';
import { GlasshouseError } from './errors.js';

/** What came back to the redirect URI (RFC 6749 §4.1.2 and §4.1.2.1), after the issuer check. */
export interface AuthorizationResponse {
  /** Present on success. */
  code?: string | undefined;
  state?: string | undefined;
  /** Present when the platform refused (e.g. `access_denied`). */
  error?: string | undefined;
  errorDescription?: string | undefined;
}

/**
 * The redirect to the client did not come from this authorization server: its RFC 9207 `iss` is
 * missing (while the metadata says the server sends it) or names another issuer — a mix-up attack
 * (RFC 9207 §2.4). The response must not be used.
 */
export class GlasshouseIssuerError extends GlasshouseError {
  override name = 'GlasshouseIssuerError';
}

/**
 * oauth4webapi's check of an authorization response (RFC 9207 `iss`; `state` unless
 * `oauth.skipStateCheck`), its errors as the SDK's: `GlasshouseIssuerError` for `iss`,
 * `oauth.AuthorizationResponseError` passed through for an OAuth error response,
 * `GlasshouseError` for anything else unusable (a missing parameter, a wrong `state`, and any
 * parameter given more than once, RFC 6749 §3.1: oauth4webapi would take the first `code`, and call
 * a repeated `iss` an issuer mismatch).
 */
export function checkAuthorizationResponse(
  metadata: AuthorizationServerMetadata,
  clientId: string,
  params: URLSearchParams,
  expectedState: string | typeof oauth.skipStateCheck,
): URLSearchParams {
  const repeated = [...new Set(params.keys())].find((name) => params.getAll(name).length > 1);
  if (repeated !== undefined)
    throw new GlasshouseError(`The authorization response cannot be used: "${repeated}" is given more than once`);
  try {
    return oauth.validateAuthResponse(
      metadata as oauth.AuthorizationServer,
      { client_id: clientId },
      params,
      expectedState,
    );
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError) throw err;
    // oauth4webapi names the parameter in its message (its error code is the same for all of them).
    if (err instanceof oauth.OperationProcessingError && /"iss"/.test(err.message))
      throw new GlasshouseIssuerError(err.message, { cause: err });
    throw new GlasshouseError(
      `The authorization response cannot be used: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/**
 * Reads an authorization response (the query of the redirect URI) and checks its `iss` against
 * `metadata.issuer` (RFC 9207 §2.4; success and error responses alike). `state` is returned, not
 * checked: the caller matches it against its pending requests.
 * @throws GlasshouseIssuerError when `iss` is wrong or missing; GlasshouseError when a parameter is repeated.
 */
export function readAuthorizationResponse(
  metadata: AuthorizationServerMetadata,
  clientId: string,
  params: URLSearchParams,
): AuthorizationResponse {
  const state = params.get('state') ?? undefined;
  try {
    const ok = checkAuthorizationResponse(metadata, clientId, params, oauth.skipStateCheck);
    return { code: ok.get('code') ?? undefined, state };
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError)
      return { error: err.error, errorDescription: err.error_description, state };
    throw err;
  }
}
