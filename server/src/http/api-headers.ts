import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Headers of every API response (OWASP REST Security Cheat Sheet, "Security headers"): private data
 * (`no-store`, RFC 6750 §5.3 spirit), JSON never sniffed nor framed, nothing referred, not readable by
 * other origins' no-cors requests. The API is mounted outside helmet (pages get helmet's full set):
 * one fixed list set in one step, since every partner call passes here.
 */
export const API_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Cache-Control', 'no-store'],
  ['X-Content-Type-Options', 'nosniff'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

/**
 * Sets `API_HEADERS` on every response under `/api`: the routes (first of each), the public OpenAPI
 * document and the 404s of unknown API paths (platform.ts), none of which pass through the pages'
 * helmet. A request refused before its route's first handler (a path parameter that does not
 * decode) gets them from the error handler (`isApiPath`).
 */
export const apiHeaders: RequestHandler = (_req, res, next) => {
  setApiHeaders(res);
  next();
};

/** Sets `API_HEADERS` on `res` (an express response or node's own, e.g. outside express). */
export function setApiHeaders(res: ServerResponse): void {
  for (const [name, value] of API_HEADERS) res.setHeader(name, value);
}

/**
 * Is `path` under `/api` as express routes it: case-insensitive, `/api` itself or `/api/…`, not
 * `/api-docs` or `/apix` (whole path segments).
 */
export const isApiPath = (path: string): boolean => /^\/api(?:\/|$)/i.test(path);
