import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';

/** Swagger UI's "Authorize" with a registered public client (oauth/docs-client.ts). */
export interface DocsOAuth {
  clientId: string;
  /** Absolute: `${PLATFORM_URL}/docs/oauth2-redirect.html` (served here from swagger-ui-dist). */
  redirectUrl: string;
}

/**
 * Rendered API docs (Swagger UI) for the document at `documentUrl`. The UI's scripts and styles
 * come from the local swagger-ui-dist package (no CDN: the demo runs offline); the online validator
 * badge is off. With `oauth`, "Authorize" runs the code flow with PKCE S256 as that public client.
 * Per-instance options (`serveFiles`), never swagger-ui-express's shared state.
 */
export function apiDocsRouter(documentUrl: string, title = 'Glasshouse messaging API', oauth?: DocsOAuth): Router {
  const options = {
    swaggerUrl: documentUrl,
    customSiteTitle: title,
    swaggerOptions: {
      validatorUrl: null,
      ...(oauth
        ? {
            oauth2RedirectUrl: oauth.redirectUrl,
            oauth: { clientId: oauth.clientId, usePkceWithAuthorizationCodeGrant: true },
          }
        : {}),
    },
  };
  const router = Router();
  router.use(swaggerUi.serveFiles(undefined, options), swaggerUi.setup(undefined, options));
  return router;
}
