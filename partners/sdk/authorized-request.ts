import * as oauth from 'oauth4webapi';
import type { DPoPKey } from './dpop.js';
import { send } from './http.js';
import { requestOptions } from './oauth-requests.js';

/**
 * One request to a protected resource with an access token: `Authorization: Bearer <token>`
 * (RFC 6750 §2.1), or with `dpop` `Authorization: DPoP <token>` and a fresh proof made by
 * oauth4webapi (RFC 9449 §7.1). Answers the response whatever its status (a 401 with its
 * `WWW-Authenticate` included).
 * @throws GlasshouseUnreachableError when nothing answers.
 */
export async function authorizedRequest(
  fetchImpl: typeof fetch,
  url: URL,
  request: { method: string; headers: Record<string, string>; body?: string | undefined },
  token: string,
  dpop?: DPoPKey,
): Promise<Response> {
  const { method, headers, body } = request;
  if (!dpop)
    return send(fetchImpl, url.href, {
      method,
      headers: { ...headers, authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body }),
    });
  try {
    return await oauth.protectedResourceRequest(
      token,
      method,
      url,
      new Headers(headers),
      body ?? null,
      requestOptions(fetchImpl, await dpop.handle()),
    );
  } catch (err) {
    // oauth4webapi throws on any WWW-Authenticate challenge; the response says what happened.
    if (err instanceof oauth.WWWAuthenticateChallengeError) return err.response;
    throw err;
  }
}
