import { z } from 'zod';
import { GlasshouseError } from './errors.js';
import { jsonOrUndefined, send } from './http.js';

/** RFC 8414 authorization server metadata: the members the SDK and partners use. */
export const metadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  revocation_endpoint: z.url().optional(),
  introspection_endpoint: z.url().optional(),
  registration_endpoint: z.url().optional(),
  scopes_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type AuthorizationServerMetadata = z.infer<typeof metadataSchema>;

/** Path of the RFC 8414 document at the platform root. */
export const DISCOVERY_PATH = '/.well-known/oauth-authorization-server';

/**
 * Fetches the authorization server metadata of the platform at `baseUrl` (e.g. http://localhost:3000).
 * @throws GlasshouseUnreachableError when nothing answers; GlasshouseError when the document is
 * missing or malformed.
 */
export async function discover(baseUrl: string, fetchImpl: typeof fetch = fetch): Promise<AuthorizationServerMetadata> {
  const url = new URL(DISCOVERY_PATH, baseUrl).href;
  const res = await send(fetchImpl, url, { headers: { accept: 'application/json' } });
  const parsed = metadataSchema.safeParse(res.ok ? await jsonOrUndefined(res) : undefined);
  if (!parsed.success) throw new GlasshouseError(`No usable OAuth metadata at ${url} (HTTP ${res.status})`);
  return parsed.data;
}
