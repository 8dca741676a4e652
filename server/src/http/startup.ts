import http from 'node:http';
import net from 'node:net';

/** Raised when a server cannot listen (port taken, not allowed); names the port. */
export class ListenError extends Error {
  override name = 'ListenError';
}

/**
 * Whether `listen` on `host` keeps a server to this machine: `loopback` (its default), `localhost`
 * (any case), or an address of 127.0.0.0/8 or ::1 however written (`0:0:0:0:0:0:0:1`,
 * `::ffff:127.0.0.1`: node's `BlockList` compares addresses). Any other host reaches the network
 * (the start-up warns of it, config.ts).
 */
export function listensOnLoopbackOnly(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'loopback' || name === 'localhost') return true;
  const family = net.isIP(host);
  if (family === 0) return false;
  const loopback = new net.BlockList();
  loopback.addSubnet('127.0.0.0', 8, 'ipv4');
  loopback.addAddress('::1', 'ipv6');
  return loopback.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Listens on `port` of `host`. `loopback` (the default: `LISTEN_HOST`) is this machine only: 127.0.0.1,
 * and ::1 too where the machine has it (a second listener whose connections it hands to `server`:
 * node:http's documented `connection` injection), so `http://localhost:…` works whichever address
 * `localhost` resolves to first, and nothing on the network reaches the demo's public passwords and
 * admin token. Any other host is given to node as is (`0.0.0.0` or `::`: every interface).
 * @throws ListenError naming `what` and the port.
 */
export async function listen(server: http.Server, port: number, what: string, host = 'loopback'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${err.code ?? err.message})`;
      // A host of LISTEN_HOST that cannot be listened on (a name that does not resolve, `[::1]`) is named.
      const where = host === 'loopback' ? `port ${port}` : `port ${port} of ${host}`;
      reject(new ListenError(`${what}: ${where} ${reason}`));
    };
    server.once('error', onError);
    server.listen(port, host === 'loopback' ? '127.0.0.1' : host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  if (host === 'loopback') await alsoOnIpv6Loopback(server);
}

/** Hands `server` the connections made to ::1 on its port; nothing when the machine has no ::1. */
async function alsoOnIpv6Loopback(server: http.Server): Promise<void> {
  const { port } = server.address() as net.AddressInfo;
  const companion = net.createServer((socket) => server.emit('connection', socket));
  const listening = await new Promise<boolean>((resolve) => {
    companion.once('error', () => resolve(false)); // no IPv6, or ::1 of this port taken by another program
    companion.listen(port, '::1', () => resolve(true));
  });
  if (listening) server.once('close', () => companion.close());
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
  server: http.Server = http.createServer({ requireHostHeader: false }),
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
