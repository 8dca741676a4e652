import http from 'node:http';
import net from 'node:net';

/** Raised when a server cannot listen (port taken, not allowed); names the port. */
export class ListenError extends Error {
  override name = 'ListenError';
}

/** Listens on `port` (all interfaces). @throws ListenError naming `what` and the port. */
export function listen(server: http.Server, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${err.code ?? err.message})`;
      reject(new ListenError(`${what}: port ${port} ${reason}`));
    };
    server.once('error', onError);
    server.listen(port, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Resolves once every URL gives an HTTP answer (any status; redirects not followed), polling every
 * 100 ms. @throws Error naming the URLs still silent after `timeoutMs` (ms).
 */
export async function waitUntilAnswering(urls: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(urls);
  while (pending.size > 0) {
    await Promise.all(
      [...pending].map(async (url) => {
        try {
          const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(1000) });
          await res.body?.cancel();
          pending.delete(url);
        } catch {
          // Not answering yet.
        }
      }),
    );
    if (pending.size === 0) return;
    if (Date.now() > deadline) throw new Error(`Not answering after ${timeoutMs} ms: ${[...pending].join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * An HTTP server listening on an ephemeral port of 127.0.0.1 (port 0: the OS picks, no race), and its
 * URL, e.g. `http://127.0.0.1:40123`. Hand it to `createPlatform({ httpServer })` or
 * `createPartnerApp(config, { httpServer })`, built for that URL: the OAuth issuer and redirect URIs
 * must be known before either is built, so the server listens first.
 * @throws the server's error (EACCES…).
 */
export function listenOnEphemeralPort(
  server: http.Server = http.createServer(),
): Promise<{ server: http.Server; url: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` });
    });
  });
}

/**
 * A TCP port of 127.0.0.1 that was free a moment ago: only for a URL where nothing should answer
 * ("the platform is down"), or a child process told its port. Servers of this process use
 * `listenOnEphemeralPort` instead (no race with other processes).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
