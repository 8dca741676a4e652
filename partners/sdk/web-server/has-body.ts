import type { IncomingMessage } from 'node:http';

/**
 * Whether a request carries a body at all (RFC 9112 §6.3: a `Transfer-Encoding`, or a
 * `Content-Length` other than 0). Body parsers leave a body of a type they do not read unread, so a
 * route that reads fields asks this first, to refuse such a body rather than take it for an empty one.
 */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
