import type { Client } from '../store/schema.js';
import { API_SCOPES } from './scopes.js';

/** The client id of the API docs page (`/docs`, Swagger UI "Authorize"). */
export const DOCS_CLIENT_ID = 'glasshouse-api-docs';

/** Where Swagger UI receives the authorization response: served by the docs router. */
export function docsRedirectUri(platformUrl: string): string {
  return `${platformUrl}/docs/oauth2-redirect.html`;
}

/**
 * The built-in public client of the API docs page (README "Messaging API for partners"): runs in
 * the person's browser on the platform's own origin, so it has no secret (`none`, RFC 6749 §2.1)
 * and relies on PKCE S256 (RFC 7636); its one redirect URI is the docs page's; the token endpoint
 * answers its browser requests (CORS) from `platformUrl`'s origin only (provider-config.ts). Defined
 * from the configuration, not stored: it follows `PLATFORM_URL` wherever the platform runs.
 */
export function docsClient(platformUrl: string): Client {
  return {
    id: DOCS_CLIENT_ID,
    name: 'Glasshouse API docs',
    status: 'active',
    metadata: {
      client_id: DOCS_CLIENT_ID,
      client_name: 'Glasshouse API docs',
      client_uri: `${platformUrl}/docs`,
      application_type: 'web',
      redirect_uris: [docsRedirectUri(platformUrl)],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: API_SCOPES.join(' '),
    },
  };
}
