import { z } from 'zod';
import { GlasshouseError, GlasshouseTokenError } from './errors.js';
import { jsonOrUndefined, send } from './http.js';

/** What the SDK keeps of a token response (RFC 6749 §5.1). */
export interface TokenSet {
  accessToken: string;
  /** Absent when the server issued none; kept from before on refresh when not rotated. */
  refreshToken?: string | undefined;
  /** ms since epoch, from `expires_in`. */
  expiresAt?: number | undefined;
  /** Space-separated granted scopes. */
  scope?: string | undefined;
}

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
  scope: z.string().optional(),
});
const tokenErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

/** A confidential client's credentials (`client_secret_basic`). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before base64. */
export function basicAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/**
 * POSTs a grant to the token endpoint with `client_secret_basic` authentication.
 * @param params e.g. `{ grant_type: 'refresh_token', refresh_token }` or an authorization code grant.
 * @param now clock (ms) for `expiresAt`.
 * @throws GlasshouseTokenError with the RFC 6749 §5.2 `error`; GlasshouseUnreachableError.
 */
export async function requestToken(
  tokenEndpoint: string,
  client: ClientCredentials,
  params: Record<string, string>,
  fetchImpl: typeof fetch = fetch,
  now: () => number = Date.now,
): Promise<TokenSet & { raw: Record<string, unknown> }> {
  const res = await send(fetchImpl, tokenEndpoint, {
    method: 'POST',
    headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
  });
  const body = await jsonOrUndefined(res);
  if (!res.ok) {
    const err = tokenErrorSchema.safeParse(body);
    throw new GlasshouseTokenError(res.status, err.success ? err.data.error : 'server_error', err.success ? err.data.error_description : undefined, params['grant_type']);
  }
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) throw new GlasshouseError('The token endpoint answered without an access token');
  const t = parsed.data;
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? params['refresh_token'],
    expiresAt: t.expires_in === undefined ? undefined : now() + t.expires_in * 1000,
    scope: t.scope,
    raw: t,
  };
}
