import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/**
 * HTTP preconditions (RFC 9110 §13.2.2) for resources that carry no validators: the API sends no
 * `ETag` and no `Last-Modified`. So `If-Match` with entity tags can never match (§13.1.1), and
 * `If-None-Match: *` on a write is false, the target being there (§13.1.2): both are 412, and nothing
 * is done. `If-Match: *` holds; the date preconditions are ignored, there being no date to compare
 * (§13.1.3, §13.1.4); `If-None-Match: *` on a read is express's 304 (messaging/router.ts).
 * Runs after authentication and the request's own checks, before the method (§13.2.1).
 * @throws AppError 412 `precondition_failed`
 */
export const preconditions: RequestHandler = (req, _res, next) => {
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && ifMatch.trim() !== '*')
    throw new AppError(412, 'precondition_failed', 'If-Match cannot match: this API sends no entity tags');
  const write = req.method !== 'GET' && req.method !== 'HEAD';
  if (write && req.headers['if-none-match']?.trim() === '*')
    throw new AppError(412, 'precondition_failed', 'If-None-Match: * is false: the target exists');
  next();
};
