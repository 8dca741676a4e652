import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy answers instead of the platform: an HTTP answer, or a connection cut without one. */
export type Fault = { status: number; headers?: Record<string, string>; body?: string } | 'hang-up';

/**
 * A tiny real HTTP proxy in front of the platform, so a test can make one path fail the way a
 * broken platform or network would (a 500 from `/token`, a 401 from `/api/v1/me`, a cut connection)
 * while everything else passes through unchanged (Host header included). Start it first, give its
 * `url` to the platform as `PLATFORM_URL` (the issuer), then `setTarget` the platform's own address.
 */
export interface FaultProxy {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  setTarget(platformUrl: string): void;
  /** From now on, requests to `path` (exact, query ignored) get `fault`. */
  fail(path: string, fault: Fault): void;
  /** Everything passes through again. */
  clear(): void;
  close(): Promise<void>;
}

/** Starts a pass-through proxy on an ephemeral port of 127.0.0.1. */
export async function startFaultProxy(): Promise<FaultProxy> {
  const faults = new Map<string, Fault>();
  let target: URL | undefined;
  const server = http.createServer((req, res) => {
    const fault = faults.get((req.url ?? '/').split('?')[0]!);
    if (fault === 'hang-up') {
      req.socket.destroy();
      return;
    }
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'text/html', ...fault.headers });
      res.end(fault.body ?? `<h1>${fault.status}</h1>`);
      return;
    }
    if (!target) {
      res.writeHead(502).end();
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(platformUrl) {
      target = new URL(platformUrl);
    },
    fail: (path, fault) => void faults.set(path, fault),
    clear: () => faults.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
