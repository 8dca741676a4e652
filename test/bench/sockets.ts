import { io as connect, type Socket } from 'socket.io-client';
import { percentile } from './load.js';

interface Created {
  message: { id: string; threadId: string; createdAt: number };
}

/** Partner sockets in this process, counting what each receives. */
export class SocketCrowd {
  readonly sockets: Socket[] = [];
  /** message id → how many sockets of the crowd got it, and when the last one did (performance.now()). */
  readonly received = new Map<string, { count: number; last: number }>();
  /** ms between a message's `createdAt` (server clock) and its arrival here (same machine clock). */
  readonly lateness: number[] = [];
  /** Message ids a socket got twice (must stay empty). */
  readonly duplicates: string[] = [];
  readonly #waiters = new Map<string, { count: number; resolve: (at: number) => void }>();

  /** Connects `count` sockets to `/partners` with the given tokens (round robin), `batch` at a time. */
  async connect(url: string, tokens: readonly string[], count: number, batch = 50): Promise<void> {
    for (let i = 0; i < count; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, count - i) }, (_, j) => {
          const socket = connect(`${url}/partners`, { transports: ['websocket'], auth: { token: tokens[(i + j) % tokens.length] }, reconnection: false, forceNew: true });
          const seen = new Set<string>();
          socket.on('message:created', ({ message }: Created) => {
            if (seen.has(message.id)) this.duplicates.push(message.id);
            seen.add(message.id);
            const entry = this.received.get(message.id) ?? { count: 0, last: 0 };
            entry.count += 1;
            entry.last = performance.now();
            this.received.set(message.id, entry);
            this.lateness.push(Date.now() - message.createdAt);
            const waiter = this.#waiters.get(message.id);
            if (waiter && entry.count >= waiter.count) {
              this.#waiters.delete(message.id);
              waiter.resolve(entry.last);
            }
          });
          this.sockets.push(socket);
          return new Promise<void>((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', reject);
          });
        }),
      );
    }
  }

  /** Resolves once `messageId` reached `count` sockets (rejects after `ms`). */
  waitFor(messageId: string, count: number, ms = 5000): Promise<number> {
    const got = this.received.get(messageId);
    if (got && got.count >= count) return Promise.resolve(got.last);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(messageId);
        reject(new Error(`${messageId}: ${this.received.get(messageId)?.count ?? 0}/${count} sockets after ${ms} ms`));
      }, ms);
      this.#waiters.set(messageId, { count, resolve: (at) => (clearTimeout(timer), resolve(at)) });
    });
  }

  /** Disconnects all but the first `keep` sockets. */
  shrinkTo(keep: number): void {
    for (const s of this.sockets.splice(keep)) s.disconnect();
  }

  close(): void {
    this.shrinkTo(0);
  }

  latenessP(p: number): number {
    return percentile(this.lateness, p);
  }
}

/** Deliveries measured per target: enough that p99 is not simply the slowest one. */
const DELIVERY_SAMPLES = 200;
/** Deliveries before the measured ones (JIT, socket buffers), as the HTTP runs have their warm-up run. */
const DELIVERY_WARMUP = 10;

/**
 * ms from sending each POST to its arrival (`arrived` resolves with `performance.now()` once the
 * sockets it waits for have it), one POST every 20 ms after the previous arrival, after a warm-up.
 */
export async function deliveryLatencies(send: (i: number) => Promise<string>, arrived: (id: string) => Promise<number>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < DELIVERY_WARMUP + DELIVERY_SAMPLES; i++) {
    const start = performance.now();
    const at = await arrived(await send(i));
    if (i >= DELIVERY_WARMUP) latencies.push(at - start);
    await new Promise((r) => setTimeout(r, 20));
  }
  return latencies;
}
