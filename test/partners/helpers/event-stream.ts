import { expect } from '@jest/globals';

/** An open server-sent-event stream of a partner page, read event by event. */
export interface EventStream {
  /** Resolves with the data (parsed JSON) of the next `event` of that name; rejects after `ms`. */
  next(event: string, ms?: number): Promise<unknown>;
  close(): void;
}

/** Opens the partner's `/events` with the session cookie of a logged-in person. */
export async function openFeed(url: string, cookie: string): Promise<EventStream> {
  const controller = new AbortController();
  const res = await fetch(`${url}/events`, {
    headers: { cookie, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(event, ms = 3000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const blocks = buffer.split('\n\n');
        for (let i = 0; i < blocks.length - 1; i += 1) {
          const lines = blocks[i]!.split('\n');
          if (lines[0] === `event: ${event}`) {
            buffer = blocks.slice(i + 1).join('\n\n');
            return JSON.parse(lines[1]!.slice('data: '.length)) as unknown;
          }
        }
        if (Date.now() > deadline) throw new Error(`no "${event}" event within ${ms} ms; got:\n${buffer}`);
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no "${event}" event within ${ms} ms`)), deadline - Date.now()).unref(),
        );
        const { value, done } = await Promise.race([reader.read(), timeout]);
        if (done) throw new Error(`stream ended before "${event}"`);
        buffer += value;
      }
    },
    close: () => controller.abort(),
  };
}

/** The `name=value` pair of a `Set-Cookie` list, for a `cookie` header. */
export const sessionCookie = (setCookie: string[] | string | undefined, name: string) =>
  ([] as string[])
    .concat(setCookie ?? [])
    .find((c) => c.startsWith(`${name}=`))!
    .split(';')[0]!;
