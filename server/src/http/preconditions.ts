import type { Request } from 'express';
import { AppError } from '../errors.js';

/** The members of a comma-separated header (RFC 9110 §5.6.1), repeated fields joined by node. */
const members = (value: string) => value.split(',').map((m) => m.trim());

/**
 * HTTP preconditions (RFC 9110 §13.2.2) for resources that carry no validators: the API sends no
 * `ETag` and no `Last-Modified`. So `If-Match` with entity tags can never match (§13.1.1), and
 * `If-None-Match: *` (alone or in a list) on a write is false, the target being there (§13.1.2): both
 * refuse the request. `If-Match: *` holds; the date preconditions are ignored, there being no date to
 * compare (§13.1.3, §13.1.4); `If-None-Match: *` on a read is express's 304 (messaging/router.ts).
 * The caller raises the answer only once the request would otherwise succeed (§13.2.1: a 400, 401,
 * 403 or 404 comes first), and before the method is carried out.
 * @returns AppError 412 `precondition_failed`, or undefined when the preconditions hold
 */
export function preconditionFailure(req: Request): AppError | undefined {
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && ifMatch.trim() !== '*')
    return new AppError(412, 'precondition_failed', 'If-Match cannot match: this API sends no entity tags');
  const ifNoneMatch = req.headers['if-none-match'];
  const write = req.method !== 'GET' && req.method !== 'HEAD';
  if (write && ifNoneMatch !== undefined && members(ifNoneMatch).includes('*'))
    return new AppError(412, 'precondition_failed', 'If-None-Match: * is false: the target exists');
  return undefined;
}
