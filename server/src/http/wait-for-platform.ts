import { setTimeout as sleep } from 'node:timers/promises';

/** Waits between tries, in ms: quick at first, then at most every 15 s. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000];

/**
 * Polls the platform's RFC 8414 metadata (`/.well-known/oauth-authorization-server`) until it
 * answers 200, waiting longer between tries (0.5 s … 15 s), and says so through `log`: one line when
 * it starts waiting, one per later try, one when the platform answers. Never gives up on its own:
 * resolves `true` once answered, `false` when `signal` aborts (the process is stopping).
 */
export async function waitForPlatform(
  platformUrl: string,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<boolean> {
  const metadata = new URL('/.well-known/oauth-authorization-server', platformUrl).href;
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const res = await fetch(metadata, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
      await res.body?.cancel();
      if (res.ok) {
        log(`Glasshouse answers at ${platformUrl}`);
        return true;
      }
    } catch {
      // Not answering yet (or stopping).
    }
    if (signal.aborted) break;
    const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
    log(`Waiting for Glasshouse at ${platformUrl} (not answering yet; trying again in ${wait / 1000} s)`);
    await sleep(wait, undefined, { signal }).catch(() => undefined);
  }
  return false;
}
