import type { Request } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { ForbiddenError } from '../errors.js';

/** CSRF cookie of the platform (double-submit, HMAC-bound to the session id). */
export const PLATFORM_CSRF_COOKIE = 'glasshouse.csrf';

/**
 * Double-submit CSRF protection (csrf-csrf) for the platform's forms: each form carries a `_csrf`
 * field; a POST without a matching token is refused with 403 `csrf_invalid`.
 */
export function createCsrf(secret: string, cookieName = PLATFORM_CSRF_COOKIE) {
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req: Request) => req.session?.id ?? '',
    cookieName,
    cookieOptions: { sameSite: 'lax', secure: false, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req: Request) =>
      (req.body as { _csrf?: string } | undefined)?._csrf ?? req.get('x-csrf-token'),
    errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
  });
  return {
    token: (req: Request, res: import('express').Response) => generateCsrfToken(req, res, { overwrite: false }),
    protect: ((req, res, next) =>
      doubleCsrfProtection(req, res, (err?: unknown) =>
        next(
          err
            ? new ForbiddenError(
                'The form has expired or was not sent by Glasshouse; reload the page and try again',
                'csrf_invalid',
              )
            : undefined,
        ),
      )) as import('express').RequestHandler,
  };
}
