import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BadRequestError } from '../errors.js';
import { setApiHeaders } from './api-headers.js';
import { problemAt } from './problem.js';
import { markHandover } from './upgrade-handover.js';
import { afterAnswers, hasBody, keepAnswering } from '../../../partners/sdk/web-server/index.js';

type UpgradeListener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Orders the upgrades on `server` after the answers to requests pipelined before them (socket.io's
 * WebSocket upgrades included: call it once socket.io is attached), and answers, over HTTP/1.1, the
 * requests that ask to switch to a protocol this server does not speak
 * (`Upgrade: h2c`, which `curl --http2` sends on `http://`): RFC 9110 §7.8 lets a server ignore
 * `Upgrade` and answer as usual. socket.io listens for upgrades on the server, so node no longer
 * serves them as plain requests (and engine.io, unless built with `destroyUpgrade: false`, ends them
 * after 1 s without a byte: "Empty reply from server"). Every upgrade engine.io does not take (by its
 * own test: the raw URL starts with `socketPath/`) is handled here: one without a body goes to `app`
 * as any other request (a request pipelined after it is left unanswered, the connection closed);
 * one with a body is refused (400 problem details), since node hands an
 * upgrade's body to no one and the app would see it empty (with the API's header list, as the
 * platform's other refusals outside express). The connection closes after the answer.
 * @returns closeAll(): destroys the connections still open here (the platform's close, after its grace).
 */
export function answerOtherUpgrades(
  server: http.Server,
  app: http.RequestListener,
  socketPath: string,
): { closeAll(): void } {
  const open = new Set<Socket>();
  // engine.io's own listener (socket.io attached it): it answers an upgrade at once, so its 101 or its
  // refusal went out before, or inside, the answer to a request pipelined before. Here it waits too.
  const engineListeners = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  server.on('upgrade', (req: http.IncomingMessage, duplex: Duplex, head: Buffer) => {
    const socket = duplex as Socket; // node:http hands a net.Socket to 'upgrade'
    // node takes its own listeners off a socket it hands to `upgrade` (`keepAnswering`: a reset, and an
    // earlier answer still being written, are looked after again).
    keepAnswering(socket);
    if ((req.url ?? '').startsWith(`${socketPath}/`))
      return afterAnswers(socket, () => {
        markHandover(req);
        for (const listener of engineListeners) listener.call(server, req, socket, head);
      });
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    // Pipelined after requests still being answered: answered after them, in order (RFC 9112 §9.3.2);
    // their answer holds the socket until it is done (assigning it now threw, and ended the process).
    afterAnswers(socket, () => answer(req, socket));
  });
  /** Answers `req` on `socket`, which no other answer holds. */
  function answer(req: http.IncomingMessage, socket: Socket): void {
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.on('finish', () => {
      res.detachSocket(socket);
      socket.destroySoon();
    });
    // Bytes after the headers of a request that declares no body are a request pipelined after it
    // (RFC 9112 §9.3.2), not a body: it is answered, and the connection closed before the next one
    // is read (a client retries what was not answered).
    if (!hasBody(req)) return void app(req, res);
    const problem = problemAt(
      new BadRequestError('A request that asks to switch protocols cannot carry a body here: send it without Upgrade'),
      req.url,
    );
    // Problem details, whatever the path: the API's header list, as for node's parser refusals.
    setApiHeaders(res);
    res.writeHead(400, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
  }
  return {
    closeAll() {
      for (const socket of open) socket.destroy();
    },
  };
}
