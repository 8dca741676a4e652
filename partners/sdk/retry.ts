import { setTimeout as sleep } from 'node:timers/promises';

/**
 * When the SDK tries a call again: after a 429 or 503 (RFC 9110 §15.5.30, §15.6.4: the request was
 * not acted on), waiting `Retry-After` seconds (RFC 9110 §10.2.3; 1 s when absent), at most
 * `maxRetries` times, and never when the wait would exceed `maxWaitSeconds` (the error is thrown
 * instead). `{ maxRetries: 0 }` turns retries off.
 */
export interface RetryPolicy {
  /** Default 2. */
  maxRetries?: number;
  /** Default 30. */
  maxWaitSeconds?: number;
}

const RETRIED = new Set([429, 503]);

/** Seconds of a `Retry-After` value (delta-seconds or an HTTP date); undefined when unreadable. */
export function retryAfterSeconds(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** How long to wait before retry number `attempt` (1-based) of `res`, or undefined: do not retry. */
export function retryDelayMs(res: Response, attempt: number, policy: RetryPolicy = {}): number | undefined {
  if (!RETRIED.has(res.status) || attempt > (policy.maxRetries ?? 2)) return undefined;
  const seconds = retryAfterSeconds(res.headers.get('retry-after')) ?? 1;
  return seconds > (policy.maxWaitSeconds ?? 30) ? undefined : seconds * 1000;
}

/** Sends with `send`, and again while the answer is a 429/503 `policy` allows (waiting real time: the server asked for it). */
export async function withRetry(send: () => Promise<Response>, policy: RetryPolicy = {}): Promise<Response> {
  let res = await send();
  for (
    let n = 1, delay = retryDelayMs(res, n, policy);
    delay !== undefined;
    n++, delay = retryDelayMs(res, n, policy)
  ) {
    await res.body?.cancel();
    await sleep(delay);
    res = await send();
  }
  return res;
}
