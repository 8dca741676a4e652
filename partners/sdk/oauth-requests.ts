import * as oauth from 'oauth4webapi';
import { GlasshouseError, GlasshouseTokenError } from './errors.js';
import { send } from './http.js';

/**
 * Options for every oauth4webapi request the SDK makes: through `fetchImpl` with the SDK's timeout,
 * network failures as `GlasshouseUnreachableError` (see `http.ts`), and plain `http:` accepted —
 * the platform is a local teaching set-up (README "Configuration"); oauth4webapi refuses `http:`
 * unless told. `DPoP`, when given, makes the request sender-constrained (RFC 9449).
 */
export function requestOptions(fetchImpl: typeof fetch, DPoP?: oauth.DPoPHandle) {
  return {
    // oauth4webapi's request init is a fetch RequestInit (its body types are a subset of BodyInit).
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
      send(fetchImpl, url, init as RequestInit),
    [oauth.allowInsecureRequests]: true,
    ...(DPoP ? { DPoP } : {}),
  };
}

/** RFC 6749 §5.2 members of a JSON error body, if the body is one. */
async function errorBody(response: Response): Promise<{ error?: string; error_description?: string }> {
  try {
    const body = (await response.clone().json()) as Record<string, unknown>;
    return {
      ...(typeof body['error'] === 'string' ? { error: body['error'] } : {}),
      ...(typeof body['error_description'] === 'string' ? { error_description: body['error_description'] } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * What oauth4webapi threw for a token request, as the SDK's error family: a refusal or failure of
 * the token endpoint becomes `GlasshouseTokenError` (HTTP status, RFC 6749 §5.2 `error`, `grantType`);
 * `GlasshouseError`s (e.g. unreachable) pass through; anything else is a `GlasshouseError`.
 */
export async function tokenErrorOf(err: unknown, grantType: string): Promise<GlasshouseError> {
  if (err instanceof GlasshouseError) return err;
  if (err instanceof oauth.ResponseBodyError)
    return new GlasshouseTokenError(err.status, err.error, err.error_description, grantType);
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    // RFC 6749 §5.2: invalid_client may come as a 401 with a challenge; the body still says which error.
    const body = await errorBody(err.response);
    const challenge = err.cause[0]?.parameters;
    const error = body.error ?? challenge?.['error'] ?? (err.status === 401 ? 'invalid_client' : 'invalid_request');
    return new GlasshouseTokenError(
      err.status,
      error,
      body.error_description ?? challenge?.['error_description'],
      grantType,
    );
  }
  if (
    err instanceof oauth.OperationProcessingError &&
    err.code === oauth.RESPONSE_IS_NOT_CONFORM &&
    err.cause instanceof Response
  ) {
    const { status } = err.cause;
    return new GlasshouseTokenError(status, status >= 500 ? 'server_error' : 'invalid_response', undefined, grantType);
  }
  return new GlasshouseError(
    `The token endpoint's answer could not be used: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}
