import express, { type RequestHandler } from 'express';
import { hasBody } from '../sdk/web-server/index.js';
import { PartnerFailure } from './failures.js';

/**
 * Reads a partner page's form (`application/x-www-form-urlencoded`, flat fields, ≤ `limit`), for the
 * routes that read fields from it (not `/logout`, which reads none and takes any body). A non-empty
 * body of another type (JSON from a script: the CSRF token may come in a header) is
 * `bad_request` (400): the form parser would leave it unread, and the route would take it for an
 * empty form ("share with nobody", "sneaky off").
 */
export function partnerForm(limit: string): RequestHandler[] {
  const checkType: RequestHandler = (req, _res, next) => {
    if (hasBody(req) && req.is('application/x-www-form-urlencoded') === false)
      throw new PartnerFailure('bad_request', 'The form is sent as application/x-www-form-urlencoded.');
    next();
  };
  return [checkType, express.urlencoded({ extended: false, limit })];
}
