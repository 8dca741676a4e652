import { GlasshouseUnreachableError } from './errors.js';

/** Requests to Glasshouse give up after this long (ms). */
export const REQUEST_TIMEOUT_MS = 10_000;

/** `fetch` with a timeout; network failures become `GlasshouseUnreachableError`. */
export async function send(fetchImpl: typeof fetch, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw new GlasshouseUnreachableError(url, { cause: err });
  }
}

/** The body as JSON, or `undefined` when it is empty or not JSON. */
export async function jsonOrUndefined(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
