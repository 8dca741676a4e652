import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';

/** 403 answer for a form or `fetch` without a valid CSRF token. */
export class CsrfError extends Error {
  override name = 'CsrfError';
  readonly status = 403;
}

/**
 * Double-submit CSRF (csrf-csrf) bound to the partner's session id: forms carry `_csrf`, `fetch`
 * calls the `x-csrf-token` header (from `<meta name="csrf-token">`).
 */
export function createCsrf(secret: string, cookieName: string) {
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req: Request) => req.session?.id ?? '',
    cookieName,
    cookieOptions: { sameSite: 'lax', secure: false, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req: Request) =>
      (req.body as { _csrf?: string } | undefined)?._csrf ?? req.get('x-csrf-token'),
  });
  const protect: RequestHandler = (req, res, next) =>
    doubleCsrfProtection(req, res, (err?: unknown) => next(err ? new CsrfError('invalid csrf token') : undefined));
  return {
    token: (req: Request, res: Response) => generateCsrfToken(req, res, { overwrite: false }),
    protect,
  };
}
