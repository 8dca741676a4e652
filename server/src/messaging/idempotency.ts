import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { parseItem, Token } from 'structured-headers';
import { AppError, BadRequestError } from '../errors.js';
import { tokenOf } from '../http/bearer-auth.js';

/** How long a key is remembered (ms): 24 hours (README "Idempotency-Key"). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Most keys remembered at once; the oldest are forgotten first beyond it. */
export const IDEMPOTENCY_MAX_KEYS = 10_000;
/** The request header (IETF draft-ietf-httpapi-idempotency-key-header) and the replay marker. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

interface Entry {
  fingerprint: string;
  at: number;
  /** Undefined while the first request is still running. */
  response?: { status: number; body: unknown; location?: string };
}

/** A JSON value with object keys sorted, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A key sent bare, outside structured-field syntax: letters, digits and `-._~+/=:` (UUIDs, base64url, base64). */
const BARE_KEY = /^[A-Za-z0-9\-._~+/=:]{1,255}$/;

/**
 * The key from the header. The draft (§2) makes it an Item Structured Field whose value is a String
 * (RFC 8941 §3.3.3, parsed by `structured-headers`); its parameters are ignored (RFC 8941 §3.1.2), so
 * `"k";p=1` is the key `k`. Also taken, as many clients send them: a bare token (`k`), or a value that
 * is no structured field at all made of letters, digits and `-._~+/=:` (a bare UUID). @throws
 * BadRequestError (400) for an item of another type (`?1`, `:Zm9v:`, `42`, an inner list), a number
 * too long for one, a list (`a,b`), or a key that is not 1–255 visible ASCII characters.
 */
function keyOf(raw: string): string {
  let item: unknown;
  try {
    [item] = parseItem(raw);
  } catch {
    // Not a structured field: a bare key (a UUID, base64) is taken as it is; a number too long for
    // one, or text holding structured syntax (`,`, `(`, `;`, quotes), is not a key.
    item = BARE_KEY.test(raw) && !/^-?[0-9.]+$/.test(raw) ? raw : undefined;
  }
  const key = typeof item === 'string' ? item : item instanceof Token ? item.toString() : undefined;
  if (key === undefined) throw new BadRequestError(`${IDEMPOTENCY_HEADER} must be a string ("…") or a token`);
  if (!/^[\x21-\x7e]{1,255}$/.test(key))
    throw new BadRequestError(`${IDEMPOTENCY_HEADER} must be 1–255 visible ASCII characters`);
  return key;
}

/**
 * `Idempotency-Key` for the messaging API's POSTs (IETF draft-ietf-httpapi-idempotency-key-header):
 * keys are scoped to the client and resource owner of the access token. The first request with a
 * key runs; a retry with the same key and the same method, path and body within
 * `IDEMPOTENCY_WINDOW_MS` gets the first 2xx response again (status, body, `Location`, plus
 * `Idempotent-Replayed: true`) with no second write and no second access-log entry; the same key
 * with another request answers 422 `idempotency_key_reused`; a retry while the first is still
 * running answers 409 `idempotency_key_in_use`. A request that failed is not remembered (its retry
 * runs again). Without the header nothing changes. Keys live in memory (lost on restart and
 * forgotten at a world reset).
 * Place after authentication and the body reader.
 */
export function createIdempotency(now: () => number) {
  const entries = new Map<string, Entry>();
  const prune = () => {
    for (const [id, entry] of entries) {
      if (entry.at > now() - IDEMPOTENCY_WINDOW_MS && entries.size <= IDEMPOTENCY_MAX_KEYS) break;
      entries.delete(id);
    }
  };
  const middleware: RequestHandler = (req, res, next) => {
    const raw = req.get(IDEMPOTENCY_HEADER);
    if (raw === undefined) return next();
    const token = tokenOf(res);
    const id = `${token.clientId}\n${token.personId}\n${keyOf(raw)}`;
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.baseUrl}${req.path}\n${canonical(req.body)}`)
      .digest('base64url');
    prune();
    const known = entries.get(id);
    if (known) {
      if (known.fingerprint !== fingerprint) {
        throw new AppError(
          422,
          'idempotency_key_reused',
          `This ${IDEMPOTENCY_HEADER} was already used for another request`,
        );
      }
      if (!known.response)
        throw new AppError(
          409,
          'idempotency_key_in_use',
          `A request with this ${IDEMPOTENCY_HEADER} is still being processed; retry shortly`,
        );
      const { status, body, location } = known.response;
      res.set(REPLAYED_HEADER, 'true');
      if (location) res.set('Location', location);
      return void res.status(status).json(body);
    }
    const entry: Entry = { fingerprint, at: now() };
    entries.set(id, entry);
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const location = res.get('Location');
        entry.response = { status: res.statusCode, body, ...(location ? { location } : {}) };
      }
      return json(body);
    };
    res.on('close', () => {
      if (!entry.response && entries.get(id) === entry) entries.delete(id);
    });
    next();
  };
  return {
    middleware,
    /** Forgets every key (a world reset: a retry must not replay an answer from the world before). */
    clear: () => entries.clear(),
  };
}
