import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { GlasshouseError } from './errors.js';
import { requestOptions } from './oauth-requests.js';

/** RFC 8414 authorization server metadata: the members the SDK and partners use (others kept). */
export const metadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  revocation_endpoint: z.url().optional(),
  introspection_endpoint: z.url().optional(),
  registration_endpoint: z.url().optional(),
  scopes_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  /** RFC 9207: the server adds `iss` to authorization responses. */
  authorization_response_iss_parameter_supported: z.boolean().optional(),
  /** RFC 9449 §5.1: the JWS algorithms it accepts in DPoP proofs. */
  dpop_signing_alg_values_supported: z.array(z.string()).optional(),
});
export type AuthorizationServerMetadata = z.infer<typeof metadataSchema>;

/** Path of the RFC 8414 document at the platform root. */
export const DISCOVERY_PATH = '/.well-known/oauth-authorization-server';

/**
 * Fetches the RFC 8414 authorization server metadata of the platform whose issuer is `baseUrl`
 * (e.g. http://localhost:3000), with oauth4webapi: the document's `issuer` must be `baseUrl`
 * (RFC 8414 §3.3), so a partner cannot be pointed at another server's endpoints.
 * @throws GlasshouseUnreachableError when nothing answers; GlasshouseError when the document is
 * missing, malformed or names another issuer.
 */
export async function discover(baseUrl: string, fetchImpl: typeof fetch = fetch): Promise<AuthorizationServerMetadata> {
  const issuer = new URL(baseUrl);
  const url = new URL(DISCOVERY_PATH, issuer).href;
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...requestOptions(fetchImpl) });
  let metadata: oauth.AuthorizationServer;
  try {
    metadata = await oauth.processDiscoveryResponse(issuer, response);
  } catch (err) {
    throw new GlasshouseError(
      `No usable OAuth metadata at ${url} (HTTP ${response.status}): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const parsed = metadataSchema.safeParse(metadata);
  if (!parsed.success)
    throw new GlasshouseError(`No usable OAuth metadata at ${url}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
