import http from 'node:http';
import type { Duplex } from 'node:stream';
import { BadRequestError } from '../errors.js';
import { problemAt } from './problem.js';

/**
 * Answers, over HTTP/1.1, the requests that ask to switch to a protocol this server does not speak
 * (`Upgrade: h2c`, which `curl --http2` sends on `http://`): RFC 9110 §7.8 lets a server ignore
 * `Upgrade` and answer as usual. socket.io listens for upgrades on the server, so node no longer
 * serves them as plain requests, and engine.io ended the connection after 1 s without a byte
 * ("Empty reply from server"). A request without a body goes to `app` as any other; one with a body
 * is refused (400 problem details): node hands an upgrade's body to no one, so the app would see it
 * empty. Upgrades to `socketPath` (socket.io's WebSockets) are left to engine.io. Each such
 * connection closes after its answer.
 */
export function answerOtherUpgrades(server: http.Server, app: http.RequestListener, socketPath: string): void {
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname.startsWith(socketPath)) return;
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as never);
    res.on('finish', () => {
      res.detachSocket(socket as never);
      socket.end();
    });
    const hasBody =
      head.length > 0 ||
      Number(req.headers['content-length'] ?? 0) > 0 ||
      req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return void app(req, res);
    const problem = problemAt(
      new BadRequestError('A request that asks to switch protocols cannot carry a body here: send it without Upgrade'),
      req.url,
    );
    res.writeHead(400, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
  });
}
