import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { hasBody } from './has-body.js';
import {
  afterAnswers,
  closing,
  fieldValues,
  keepAnswering,
  refuse,
  requestProblem,
  type ParserRefusal,
} from './parser-refusals.js';

/** node:http's `upgrade` listener signature. */
export type UpgradeListener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Upgrades another listener takes (engine.io's WebSocket on `/socket.io/`), handed over in order. */
export interface UpgradeHandOff {
  /** Whether `req` is one of its upgrades. */
  claims(req: http.IncomingMessage): boolean;
  /** Why it would refuse one only once its 101 is out (then only closing), if it would: refused before. */
  problem?(req: http.IncomingMessage): ParserRefusal | undefined;
  /** Runs as each is handed over (the platform notes what the socket carried before). */
  before?(req: http.IncomingMessage): void;
  /** Its listeners, taken off the server (they answered at once, ahead of earlier answers). */
  listeners: readonly UpgradeListener[];
}

/**
 * An `upgrade` listener for `server`, which orders every upgrade after the answers to requests
 * pipelined before it (RFC 9112 §9.3.2): those `handOff` claims go to its listeners then; the others
 * ask to switch to a protocol this server does not speak (`Upgrade: h2c`, which `curl --http2` sends on
 * `http://`), and RFC 9110 §7.8 lets a server ignore `Upgrade` and answer as usual. One without a
 * body goes to `app` as any other request (one pipelined after it is left unanswered, the connection
 * closed: a client retries it); one with a body is refused, 400 problem details (`bodyOf`, with
 * `headers`), since node hands an upgrade's body to no one and the app would see it empty. Without
 * this, node (no `upgrade` listener) answers the first and drops what is pipelined after it, leaving
 * the connection open, or (engine.io's listener alone) ends the connection after 1 s unanswered.
 * @returns closeAll(): destroys the connections still open here (for a server's close, after its grace).
 */
export function answerUpgrades(
  server: http.Server,
  app: http.RequestListener,
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]> = [],
  handOff?: UpgradeHandOff,
): { closeAll(): void } {
  const open = new Set<Socket>();
  server.on('upgrade', (req: http.IncomingMessage, duplex: Duplex, head: Buffer) => {
    const socket = duplex as Socket; // node:http hands a net.Socket to 'upgrade'
    // node takes its own listeners off a socket it hands to `upgrade` (`keepAnswering`: a reset, and an
    // earlier answer still being written, are looked after again).
    keepAnswering(socket);
    // A refusal before it on this connection closes it (`closeAfter`): it is not run.
    if (closing(socket)) return void socket.destroy();
    // The server-wide checks (no request listener sees an upgrade), then a body (node hands it to no
    // one: a WebSocket would read it as its first frames) and an Expect (node checks none here).
    const claimed = handOff?.claims(req) === true;
    const refusal = requestProblem(req) ?? upgradeProblem(req) ?? (claimed ? handOff?.problem?.(req) : undefined);
    if (refusal || !claimed) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      // Their answer holds the socket until it is done (assigning it at once threw, and ended the process).
      return afterAnswers(socket, () => answer(req, socket, refusal));
    }
    afterAnswers(socket, () => {
      handOff!.before?.(req);
      for (const listener of handOff!.listeners) listener.call(server, req, socket, head);
    });
  });
  /** Answers `req` on `socket`, which no other answer holds (refused with `refusal`, if any), then closes it. */
  function answer(req: http.IncomingMessage, socket: Socket, refusal: ParserRefusal | undefined): void {
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.on('finish', () => {
      res.detachSocket(socket);
      socket.destroySoon();
    });
    // Bytes after the headers of a request that declares no body are a request pipelined after it
    // (RFC 9112 §9.3.2), not a body: it is answered, and the connection closed before the next one.
    if (!refusal) return void app(req, res);
    refuse(res, bodyOf, headers, refusal);
  }
  return {
    closeAll() {
      for (const socket of open) socket.destroy();
    },
  };
}

/** Why an upgrade is refused beyond the server-wide checks, or undefined: a body (400), an `Expect` (417). */
function upgradeProblem(req: http.IncomingMessage): ParserRefusal | undefined {
  if (hasBody(req))
    return {
      status: 400,
      code: 'bad_request',
      detail: 'A request that asks to switch protocols cannot carry a body here: send it without Upgrade',
    };
  if (fieldValues(req.rawHeaders, 'expect').length > 0)
    return {
      status: 417,
      code: 'expectation_failed',
      detail: 'A request that asks to switch protocols expects nothing here: send it without Expect (RFC 9110 §10.1.1)',
    };
  return asksForWebSocket(req) ? webSocketProblem(req) : undefined;
}

/** Whether `req` asks to switch to the WebSocket protocol (`websocket` among its `Upgrade` tokens, RFC 6455 §4.1). */
export function asksForWebSocket(req: http.IncomingMessage): boolean {
  return /(^|[\s,])websocket($|[\s,])/i.test(req.headers.upgrade ?? '');
}

/**
 * What makes a WebSocket opening handshake one the server cannot take (RFC 6455 §4.1, §4.2.1), or
 * undefined: refused here as problem details, where the WebSocket library answered them in its own
 * bare text/html.
 */
function webSocketProblem(req: http.IncomingMessage): ParserRefusal | undefined {
  const bad = (detail: string): ParserRefusal => ({
    status: 400,
    code: 'bad_request',
    detail: `${detail} (RFC 6455 §4.1)`,
  });
  if (req.httpVersion !== '1.1') return bad('A WebSocket opening handshake is an HTTP/1.1 request');
  if (req.method !== 'GET') return bad('A WebSocket opening handshake is a GET');
  const keys = fieldValues(req.rawHeaders, 'sec-websocket-key');
  if (keys.length !== 1 || !/^[A-Za-z0-9+/]{22}==$/.test(keys[0]!.trim()))
    return bad('Send one Sec-WebSocket-Key: 16 random bytes in base64');
  const versions = fieldValues(req.rawHeaders, 'sec-websocket-version');
  if (versions.length !== 1 || versions[0]!.trim() !== '13') return bad('Send one Sec-WebSocket-Version: 13');
  const upgrades = fieldValues(req.rawHeaders, 'upgrade');
  if (upgrades.length !== 1 || upgrades[0]!.trim().toLowerCase() !== 'websocket')
    return bad('Send Upgrade: websocket alone');
  return undefined;
}
