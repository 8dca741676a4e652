import type { Request } from 'express';
import { BadRequestError } from '../errors.js';

/** A single path parameter as a string. @throws BadRequestError when absent or repeated. */
export function pathParam(req: Request, name: string): string {
  const value: unknown = req.params[name];
  if (typeof value !== 'string' || value === '') throw new BadRequestError(`Missing path parameter "${name}"`);
  return value;
}
