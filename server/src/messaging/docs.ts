import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';

/**
 * Rendered API docs (Swagger UI) for the document at `documentUrl`. The UI's scripts and styles
 * come from the local swagger-ui-dist package (no CDN: the demo runs offline); the online validator
 * badge is off. Per-instance options (`serveFiles`), never swagger-ui-express's shared state.
 */
export function apiDocsRouter(documentUrl: string, title = 'Glasshouse messaging API'): Router {
  const options = {
    swaggerUrl: documentUrl,
    customSiteTitle: title,
    swaggerOptions: { validatorUrl: null },
  };
  const router = Router();
  router.use(swaggerUi.serveFiles(undefined, options), swaggerUi.setup(undefined, options));
  return router;
}
