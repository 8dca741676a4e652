import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { AppError, BadRequestError } from '../errors.js';
import { hasBody } from '../../../partners/sdk/web-server/index.js';

/**
 * Largest JSON body the API reads (bytes); larger ones get 413. Room for the longest valid message
 * however it is encoded: 2,000 emoji written as JSON escapes (`\ud83d\ude00`, 12 bytes each, as
 * Python's `json.dumps` does by default) are 24,000 bytes of text.
 */
export const JSON_BODY_LIMIT_BYTES = 32 * 1024;

/** Keys that could reach an object's prototype if some code later merged the body into an object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function forbiddenKeyIn(value: unknown, depth = 0): string | undefined {
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const found = forbiddenKeyIn((value as Record<string, unknown>)[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Reads a JSON request body, refusing with RFC 9457 problems: 415 unless `Content-Type` is
 * `application/json` (when a non-empty body is sent), 413 over `limit` (bytes or a size string; default `JSON_BODY_LIMIT_BYTES`, 32 KiB), 400 for malformed JSON (body-parser's
 * errors, mapped in http/problem.ts), 400 `invalid_encoding` for bytes that are not UTF-8, and 400 for `__proto__`, `constructor` or `prototype` keys at
 * any depth. Without a body, `req.body` stays undefined and the schema refuses it.
 */
export function jsonBody(limit: number | string = JSON_BODY_LIMIT_BYTES): RequestHandler[] {
  const parse = express.json({
    limit,
    strict: true,
    type: 'application/json',
    // JSON text is UTF-8 (RFC 8259 §8.1): bytes that are not would be stored as U+FFFD silently.
    // `encoding` is the charset the body would be decoded with: only UTF-8 (body-parser would otherwise
    // decode a `charset=utf-16le`, `utf-7` or `utf-32le` body, whose bytes may well pass as UTF-8).
    verify: (_req, _res, bytes, encoding) => {
      if (encoding !== 'utf-8')
        throw new AppError(415, 'unsupported_media_type', 'Send JSON as UTF-8 (RFC 8259 §8.1): charset=utf-8 or none');
      if (!isUtf8(bytes)) throw new AppError(400, 'invalid_encoding', 'The body is not valid UTF-8 (RFC 8259 §8.1)');
    },
  });
  const checkType: RequestHandler = (req, _res, next) => {
    if (hasBody(req) && req.is('application/json') === false) {
      throw new AppError(415, 'unsupported_media_type', 'Send the body as application/json');
    }
    next();
  };
  const checkKeys: RequestHandler = (req, _res, next) => {
    const key = forbiddenKeyIn(req.body);
    if (key !== undefined) throw new BadRequestError(`The key "${key}" is not allowed in a request body`);
    next();
  };
  return [checkType, parse, checkKeys];
}

/**
 * For routes that define no request body: a request that sends one anyway is refused with 400
 * `bad_request` instead of having it ignored (as unknown fields are refused in every body schema).
 * A chunked body (RFC 9112 §7.1) is one only if a byte arrives: some clients send an empty one.
 */
export const noBody: RequestHandler = (req, _res, next) => {
  if (!hasBody(req)) return next();
  const refused = () => new BadRequestError('This endpoint takes no request body');
  if (req.get('transfer-encoding') === undefined) throw refused();
  let done = false;
  const finish = (err?: unknown) => {
    if (done) return;
    done = true;
    req.removeListener('data', onData);
    next(err);
  };
  const onData = (chunk: Buffer) => {
    if (chunk.length === 0) return;
    req.pause();
    finish(refused());
  };
  req.on('data', onData);
  req.once('end', () => finish());
  req.once('error', finish);
};
