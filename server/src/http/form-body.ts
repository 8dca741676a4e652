import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { hasBody } from '../../../partners/sdk/web-server/index.js';

/**
 * Reads an HTML form body (`application/x-www-form-urlencoded`, flat fields, ≤ `limit`) for the
 * platform's pages: 415 `unsupported_media_type` for a non-empty body of another type, 413 over the
 * limit, and no body at all reads as an empty form, so each route's own validation answers 400
 * (Express 5 otherwise leaves `req.body` undefined). Errors reach the one error middleware, which
 * shows browsers the error page and others RFC 9457 problem details.
 */
export function formBody(limit: number | string = '16kb'): RequestHandler[] {
  const parse = express.urlencoded({
    extended: false,
    limit,
    // Fields are percent-encoded UTF-8 (WHATWG URL, application/x-www-form-urlencoded): a malformed
    // escape (`%ff`, `%E0%A4%A`) would otherwise be kept as its literal text, bytes that are not
    // UTF-8 as U+FFFD.
    verify: (_req, _res, bytes) => {
      const malformed = () => new AppError(400, 'invalid_encoding', 'The form is not percent-encoded UTF-8');
      if (!isUtf8(bytes)) throw malformed();
      for (const field of bytes.toString('utf8').split('&')) {
        try {
          decodeURIComponent(field.replace(/\+/g, ' '));
        } catch {
          throw malformed();
        }
      }
    },
  });
  const checkType: RequestHandler = (req, _res, next) => {
    if (hasBody(req) && req.is('application/x-www-form-urlencoded') === false) {
      throw new AppError(415, 'unsupported_media_type', 'Send the form as application/x-www-form-urlencoded');
    }
    next();
  };
  const orEmpty: RequestHandler = (req, _res, next) => {
    req.body ??= {};
    next();
  };
  return [checkType, parse, orEmpty];
}
