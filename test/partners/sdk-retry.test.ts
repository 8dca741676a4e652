import { describe, expect, it } from '@jest/globals';
import { retryAfterSeconds } from '../../partners/sdk/index.js';
import { retryDelayMs } from '../../partners/sdk/retry.js';

const answer = (status: number, retryAfter?: string) =>
  new Response(null, { status, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } });

describe('when the SDK tries a call again', () => {
  it.each([
    ['delta-seconds', '3', 3],
    ['zero', '0', 0],
    ['an HTTP date 10 s ahead', new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), 10],
    ['an HTTP date in the past', new Date(Date.UTC(2025, 0, 1)).toUTCString(), 0],
    ['nonsense', 'soon', undefined],
  ])('When Retry-After is %s, then it means %p seconds', (_name, value, seconds) => {
    expect(retryAfterSeconds(value, Date.UTC(2026, 0, 1))).toBe(seconds);
  });

  it.each([
    ['a 503 with Retry-After 2, first retry', answer(503, '2'), 1, {}, 2000],
    ['a 429 without Retry-After', answer(429), 1, {}, 1000],
    ['a 503 after the last allowed retry', answer(503, '0'), 3, {}, undefined],
    ['a 429 asking for longer than allowed', answer(429, '60'), 1, { maxWaitSeconds: 30 }, undefined],
    ['a 500 (may have been acted on)', answer(500, '1'), 1, {}, undefined],
    ['a 503 with retries off', answer(503, '1'), 1, { maxRetries: 0 }, undefined],
  ])('When the answer is %s, then the wait is %p ms', (_name, res, attempt, policy, ms) => {
    expect(retryDelayMs(res, attempt, policy)).toBe(ms);
  });
});
