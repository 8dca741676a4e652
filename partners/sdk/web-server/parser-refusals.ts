import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

/** A request node:http's parser refused: the status to answer, a code and a sentence for people. */
export interface ParserRefusal {
  status: number;
  code: string;
  detail: string;
}

/** node:http's parser errors a caller causes, by error code (RFC 9110 §15.5.15, RFC 6585 §5). */
const REFUSALS: Record<string, ParserRefusal> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'request_header_fields_too_large',
    detail: 'The request headers are over the limit',
  },
  HPE_URI_TOO_LONG: { status: 414, code: 'uri_too_long', detail: 'The request target is over the limit' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    code: 'body_too_large',
    detail: 'The chunk extensions are over the limit',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', detail: 'The request did not arrive in time' },
};
const NOT_HTTP: ParserRefusal = {
  status: 400,
  code: 'bad_request',
  detail: 'The request could not be read as HTTP/1.1 (RFC 9112)',
};
/** A well-formed request line whose method node:http does not know (its parser says HPE_INVALID_METHOD for any bytes). */
const UNKNOWN_METHOD: ParserRefusal = {
  status: 501,
  code: 'not_implemented',
  detail: 'The request method is not one this server knows (RFC 9110 §15.6.2)',
};
/** `method SP request-target SP HTTP-version` (RFC 9112 §3), the method a token (RFC 9110 §5.6.2). */
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP\/\d\.\d\r?$/;

/** The refusal for parser error `err`: an unknown method in a well-formed request line is a 501, other bytes that are not HTTP a 400. */
function refusalOf(err: NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number }): ParserRefusal {
  const known = REFUSALS[err.code ?? ''];
  if (known) return known;
  if (err.code !== 'HPE_INVALID_METHOD' || !err.rawPacket) return NOT_HTTP;
  // `rawPacket` is the chunk that was being parsed (requests pipelined before it too): the refused
  // request line is the line holding the byte the parser stopped at.
  const text = err.rawPacket.subarray(0, 65_536).toString('latin1');
  const start = text.lastIndexOf('\n', (err.bytesParsed ?? 0) - 1) + 1;
  const end = text.indexOf('\n', start);
  return REQUEST_LINE.test(text.slice(start, end === -1 ? undefined : end)) ? UNKNOWN_METHOD : NOT_HTTP;
}

/**
 * A `clientError` listener for a node:http server (the platform's and each partner app's): a request
 * its parser refuses (headers over the limit, bytes that are not HTTP/1.1, a body longer than its
 * Content-Length) gets RFC 9457 problem details, `bodyOf(refusal)` as JSON, instead of node's bare
 * status line (a well-formed request line with a method node does not know: 501, RFC 9110 §15.6.2);
 * the connection is closed (the parser cannot go on). A refusal of the body of the request being
 * answered takes that answer's place while its headers have not gone out (the socket is only
 * destroyed after); a refusal of a request pipelined after one whose answer is still on its way is
 * written after that answer. A socket already gone is only destroyed. `headers` (fixed name/value pairs) go on every
 * such answer: the parser has not told which path was asked, so a server whose API has its own header
 * list (the platform's) gives it to all of them.
 */
export function answerParserRefusals(
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]> = [],
): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  const answer = answerOnSocket(bodyOf, headers);
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const refusal = refusalOf(err);
    const answering = answerHolding(socket);
    const latest = (socket as Tracked)[LATEST_ANSWER];
    (socket as Tracked)[CLOSING] = true;
    // Whose body the refused bytes are: the request being answered, or the last one read, queued
    // behind others (waiting for its answer to finish, as for the others, waited forever).
    const owner =
      answering && !answering.req.complete ? answering : latest && !latest.req.complete ? latest : undefined;
    if (!owner) return afterAnswers(socket, () => answer(socket, refusal));
    // The refusal is that request's answer, in its place; if its route answered already (without
    // reading the body), that answer stands, and the connection closes after it: one answer a request.
    const inItsPlace = () => (owner.headersSent ? closeWhenDone(owner, socket) : answer(socket, refusal));
    if (owner.writableFinished) socket.end(() => socket.destroy());
    else if (owner === answering) inItsPlace();
    else {
      owner.once('socket', inItsPlace);
      owner.once('close', () => owner.socket || socket.destroy());
    }
  };
}

/** The answer that holds `socket` now (node's own `_httpMessage`: the others wait in its queue), if any. */
function answerHolding(socket: Duplex): ServerResponse | null | undefined {
  return (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
}

/** Closes `socket` once `res` (which holds it, or will) has written all of its answer. */
function closeWhenDone(res: ServerResponse, socket: Duplex): void {
  // end() alone would leave a half-open socket (node's HTTP servers allow them) open on the client's side.
  res.once('finish', () => socket.end(() => socket.destroy()));
  res.once('close', () => res.writableFinished || socket.destroy());
}

/**
 * For a socket node handed to an `upgrade` or `connect` listener: node takes its own listeners off it
 * first, `error` and `drain` among them. Without `error`, a client resetting the connection is an
 * unhandled error that ends the process; without `drain`, an answer to a request pipelined before,
 * still being written (one larger than the socket's buffer), waits for a drain forever. Here a reset
 * destroys the socket, and a drain is passed on to the answer that holds it, as node does.
 */
export function keepAnswering(socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  socket.on('drain', () => answerHolding(socket)?.emit('drain'));
}

/**
 * Runs `then` once every request read on `socket` so far is answered, if the socket can still be
 * written to (else destroys it): a refusal pipelined after requests still being answered goes after
 * their answers, as answers go in the order of the requests (RFC 9112 §9.3.2), never into the middle
 * of one. node gives the socket to the next queued answer in its own `finish` listener (which runs
 * before this one), so each is waited for in turn; the socket is destroyed if one closes unfinished.
 */
export function afterAnswers(socket: Duplex, then: () => void): void {
  // Held until its `finish` event, not `writableFinished` (true once its bytes are out, before the
  // event): node hands the socket to the next answer only in its own `finish` listener.
  const answering = answerHolding(socket);
  if (!answering) return socket.writable ? then() : void socket.destroy();
  answering.once('finish', () => afterAnswers(socket, then));
  answering.once('close', () => answering.writableFinished || socket.destroy());
}

/**
 * A `connect` listener for a node:http server: node hands it a CONNECT request (RFC 9110 §9.3.6,
 * asking a proxy for a tunnel) and, without one, closes the connection unanswered. These servers
 * are not proxies: 405 problem details (`bodyOf`) with `Allow` and `headers`, then the connection closed.
 */
export function answerConnect(
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]> = [],
): (req: IncomingMessage, socket: Duplex) => void {
  const answer = answerOnSocket(bodyOf, [...headers, ['Allow', SERVER_METHODS]]);
  const refusal = {
    status: 405,
    code: 'method_not_allowed',
    detail: 'CONNECT asks a proxy for a tunnel (RFC 9110 §9.3.6): this server is not one',
  };
  // After the answers to requests pipelined before it, in order (`afterAnswers`).
  return (_req, socket) => {
    keepAnswering(socket);
    afterAnswers(socket, () => answer(socket, refusal));
  };
}

/**
 * Writes `refusal` as problem details (`bodyOf`, with `headers`) for a request another library is
 * refusing (engine.io on `/socket.io/`): on `res` while nothing of it went out, else, for a request
 * node handed over as an upgrade (no response object), straight on `socket`, which is then closed.
 */
export function answerRefusal(
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]>,
  refusal: ParserRefusal,
  { res, socket }: { res?: ServerResponse | undefined; socket: Duplex },
): void {
  if (res) {
    if (!res.headersSent) refuse(res, bodyOf, headers, refusal);
  } else if (socket.writable) answerOnSocket(bodyOf, headers)(socket, refusal);
  else socket.destroy();
}

/** Writes `refusal` as problem details straight on `socket` (outside any response), then closes it. */
function answerOnSocket(
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]>,
): (socket: Duplex, refusal: ParserRefusal) => void {
  const extra = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return (socket, refusal) => {
    const body = JSON.stringify(bodyOf(refusal));
    // A server may allow half-open sockets: end() alone would leave the client's side (and a file) open.
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nDate: ${new Date().toUTCString()}\r\n` +
        `Content-Type: application/problem+json\r\n` +
        `${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  };
}

/** What a server supports in general, for `OPTIONS *` (RFC 9110 §9.3.7). */
const SERVER_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * What leaves `req` without a server to address (RFC 9112 §3.2), or undefined: a `Host` missing (in
 * HTTP/1.1), sent twice or not `host[:port]`; a target in absolute-form (§3.2.2) that is not an http
 * URL with such an authority. A good absolute-form target is made origin-form, its authority standing
 * for `Host` (oidc-provider builds its URLs from both). `knownGood`: a Host value checked before.
 */
export function addressProblem(req: IncomingMessage, knownGood?: string): string | undefined {
  const target = req.url ?? '';
  if (target !== '*' && !target.startsWith('/')) {
    const url = URL.canParse(target) ? new URL(target) : undefined;
    const http = url && (url.protocol === 'http:' || url.protocol === 'https:');
    if (!url || !http || url.username !== '' || url.password !== '' || !isAuthority(url.host))
      return 'The request target must be a path, or an http URL naming a host[:port]';
    req.url = `${url.pathname}${url.search}`;
    req.headers.host = url.host;
  }
  const host = req.headers.host;
  if (host === undefined)
    return req.httpVersionMajor === 1 && req.httpVersionMinor >= 1
      ? 'An HTTP/1.1 request must name its Host'
      : undefined;
  if (host !== knownGood && !isAuthority(host)) return 'Host must be host[:port]';
  if (fieldValues(req.rawHeaders, 'host').length > 1) return 'Host must be sent once';
  return undefined;
}

/** Is `value` a `Host` field value (`host[:port]`, RFC 9112 §3.2) as the WHATWG URL parser reads an authority? */
function isAuthority(value: string): boolean {
  // Visible ASCII only (RFC 3986 §3.2.2: a reg-name is ASCII): the URL parser would drop tabs and
  // newlines (`a<TAB>b` passing as `ab`) and turn `é` into its punycode `xn--9ca`.
  if (!/^[\x21-\x7e]+$/.test(value) || !URL.canParse(`http://${value}/`)) return false;
  const url = new URL(`http://${value}/`);
  return url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
}

/** `address:port` as a Host value (an IPv6 address in brackets, RFC 3986 §3.2.2). */
function authorityOf(address = '127.0.0.1', port = 80): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Sets each of `headers` on `res`. */
function setAll(res: ServerResponse, headers: ReadonlyArray<readonly [string, string]>): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

/** Writes `refusal` as problem details (`bodyOf`) on `res`, with `headers`. */
export function refuse(
  res: ServerResponse,
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]>,
  refusal: ParserRefusal,
): void {
  const body = JSON.stringify(bodyOf(refusal));
  setAll(res, headers);
  res
    .writeHead(refusal.status, {
      'Content-Type': 'application/problem+json',
      'Content-Length': Buffer.byteLength(body),
    })
    .end(body);
}

/**
 * Middleware, first in an app, for requests that name no resource of it:
 * - a request line of another HTTP version than 1.x (`HTTP/2.0`, a bare HTTP/0.9 line): 505;
 * - a field that holds one value sent more than once (`Authorization`, `Content-Type`, …: those node
 *   keeps only the first of, `SINGLE_VALUE_FIELDS`): 400;
 * - a transfer coding other than `chunked` (`Transfer-Encoding: gzip, chunked`): 501, connection closed;
 * - the asterisk-form request target (RFC 9112 §3.2.4), which names the server: `OPTIONS *` is
 *   answered 204 with `Allow`; any other method with it is a 400 (express's router took `*` for a
 *   path and failed with a 500);
 * - a request with no server to address (`addressProblem`: a `Host` missing, twice or not
 *   `host[:port]`, or such an absolute-form target: 400; an HTTP/1.0 request without one is given the
 *   address it connected to as its Host), which node refuses itself with a bare
 *   status line, or lets through, unless its server is created with `requireHostHeader: false`, as
 *   ours are (an invalid one reached oidc-provider's discovery, which builds URLs from it, as a 500).
 * Refusals are `bodyOf(refusal)` as problem details, with `headers` (as for `answerParserRefusals`).
 */
export function serverWideRequests(
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]> = [],
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  let lastValidHost: string | undefined;
  return (req, res, next) => {
    // A refusal before it on this connection closes it: what was pipelined after is never run.
    if (closing(req.socket)) return;
    (req.socket as Tracked)[LATEST_ANSWER] = res;
    const refusal = requestProblem(req, lastValidHost);
    if (refusal) {
      // Closed after the answer: the body (if any) is not read, so nothing after it can pass for a request.
      closeAfter(res);
      return refuse(res, bodyOf, headers, refusal);
    }
    lastValidHost = req.headers.host;
    if (req.url !== '*') return next();
    if (req.method === 'OPTIONS') {
      setAll(res, headers);
      res.writeHead(204, { Allow: SERVER_METHODS }).end();
      return;
    }
    closeAfter(res);
    refuse(res, bodyOf, headers, {
      status: 400,
      code: 'bad_request',
      detail: 'The request target * is only for OPTIONS (RFC 9112 §3.2.4)',
    });
  };
}

/**
 * What refuses `req` before any route, or undefined (the checks of `serverWideRequests`, which an
 * upgrade, answered outside it, gets too): no server to address (`addressProblem`; an HTTP/1.0
 * request without Host is given the address it connected to), another HTTP version than 1.x (505),
 * a transfer coding besides chunked (501), a field that holds one value sent twice (400).
 * `knownGood`: a Host value checked before.
 */
export function requestProblem(req: IncomingMessage, knownGood?: string): ParserRefusal | undefined {
  const address = addressProblem(req, knownGood);
  if (address) return { status: 400, code: 'bad_request', detail: `${address} (RFC 9112 §3.2)` };
  // An HTTP/1.0 request may leave Host out: it asked the address it connected to, and pages and
  // discovery documents that build URLs from Host must not get an empty authority.
  req.headers.host ??= authorityOf(req.socket.localAddress, req.socket.localPort);
  if (req.httpVersionMajor !== 1)
    return {
      status: 505,
      code: 'http_version_not_supported',
      detail: `HTTP/${req.httpVersion} is not spoken here: send HTTP/1.1 (RFC 9110 §15.6.6)`,
    };
  // A coding besides chunked (`gzip, chunked`): node reads the body as chunked alone, where a proxy
  // in front that decodes it reads another body.
  const coding = unknownTransferCoding(req.rawHeaders);
  if (coding)
    return {
      status: 501,
      code: 'not_implemented',
      detail: `The transfer coding ${JSON.stringify(coding)} is not implemented here: send the body chunked alone, or with Content-Length (RFC 9112 §6.1)`,
    };
  // node keeps the first of several: refused for every path (API, admin, monitor, the token
  // endpoint's client authentication), so that no proxy in front can have read another one than
  // the route (RFC 6750 §3.1 refuses a repeated Authorization parameter the same way).
  const repeated = repeatedFieldProblem(req);
  if (repeated) return { status: 400, code: 'bad_request', detail: repeated };
  return undefined;
}

/** Marks on a socket: a refusal that closes it was made; the answer to the last request read on it. */
const CLOSING = Symbol('a refusal closes this connection');
const LATEST_ANSWER = Symbol('the answer to the last request read on this connection');
type Tracked = { [CLOSING]?: true; [LATEST_ANSWER]?: ServerResponse };

/**
 * Closes the connection after `res`, and keeps the requests already read after it on that
 * connection (pipelined in the same bytes: node's parser hands them out all the same) from being
 * run: a request a proxy in front would not have seen as one (after a body it could not frame) must
 * not change anything here.
 */
export function closeAfter(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  (res.req.socket as Tracked)[CLOSING] = true;
}

/** Whether a refusal closes `socket` after its answer (`closeAfter`). */
export function closing(socket: Duplex): boolean {
  return (socket as Tracked)[CLOSING] === true;
}

/**
 * A `checkExpectation` listener for a node:http server: a request whose `Expect` is not
 * `100-continue` gets 417 problem details (`bodyOf`, with `headers`; RFC 9110 §10.1.1) rather than
 * node's own bare 417.
 */
export function answerExpectation(
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]> = [],
): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    closeAfter(res);
    refuse(res, bodyOf, headers, {
      status: 417,
      code: 'expectation_failed',
      detail: 'The only expectation understood is Expect: 100-continue (RFC 9110 §10.1.1)',
    });
  };
}

/**
 * A `checkContinue` listener for `server` (node:http hands it a request whose `Expect` names
 * `100-continue` anywhere): sends `100 Continue` and serves the request as usual when that is the
 * only expectation, and refuses it as `answerExpectation` does when another is listed too
 * (`Expect: foo, 100-continue`, or the field sent twice), which node would have let through.
 */
export function answerContinue(
  server: EventEmitter,
  bodyOf: (refusal: ParserRefusal) => object,
  headers: ReadonlyArray<readonly [string, string]> = [],
): (req: IncomingMessage, res: ServerResponse) => void {
  const refuseExpectation = answerExpectation(bodyOf, headers);
  return (req, res) => {
    const expectations = fieldValues(req.rawHeaders, 'expect').flatMap((v) => v.split(','));
    if (!expectations.every((e) => e.trim().toLowerCase() === '100-continue')) return refuseExpectation(req, res);
    // An answer queued behind answers to requests pipelined before it gets `100 Continue` once it holds
    // the socket, and none if its final answer was begun meanwhile (RFC 9110 §15.2.1): node would
    // buffer it, and put the final answer's head in front of it when that head is sent apart from its body.
    // None for a request the server-wide checks refuse (a repeated field, a transfer coding…): its
    // body is never read, and a 100 would invite it.
    if (requestProblem(req) || closing(req.socket)) return void server.emit('request', req, res);
    if (res.socket) res.writeContinue();
    else res.once('socket', () => res.headersSent || res.writeContinue());
    server.emit('request', req, res);
  };
}

/**
 * Request fields node:http keeps only the first of when sent several times (node's docs,
 * `message.headers`), lower case: a proxy or log in front that reads another would see another request.
 */
const SINGLE_VALUE_FIELDS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** Why `req` is refused for a field that holds one value sent more than once (`SINGLE_VALUE_FIELDS`), or undefined. */
function repeatedFieldProblem(req: IncomingMessage): string | undefined {
  const repeated = repeatedSingleField(req.rawHeaders);
  if (!repeated) return undefined;
  return repeated === 'Authorization'
    ? 'Send one Authorization header, not several (RFC 6750 §3.1 invalid_request)'
    : `Send one ${repeated} header, not several (RFC 9110 §5.3: it holds one value)`;
}

/** The first transfer coding of a request other than `chunked` (lower case), if any (RFC 9112 §6.1). */
function unknownTransferCoding(rawHeaders: readonly string[]): string | undefined {
  return fieldValues(rawHeaders, 'transfer-encoding')
    .flatMap((value) => value.split(','))
    .map((coding) => coding.trim().toLowerCase())
    .find((coding) => coding !== 'chunked');
}

/**
 * Puts `check` (a `serverWideRequests` middleware) in front of every `request` listener `server` has
 * now, those a library put there included: socket.io's engine.io takes the requests under its path
 * before the app sees them, so without this they escaped the server-wide checks.
 */
export function checkRequestsFirst(
  server: EventEmitter,
  check: (req: IncomingMessage, res: ServerResponse, next: () => void) => void,
): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) =>
    check(req, res, () => {
      for (const listener of listeners) listener.call(server, req, res);
    }),
  );
}

/** The first field of `SINGLE_VALUE_FIELDS` that `rawHeaders` holds twice, if any, named as RFC 9110 spells it (`Content-Type`). */
function repeatedSingleField(rawHeaders: readonly string[]): string | undefined {
  let seen: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!SINGLE_VALUE_FIELDS.has(name)) continue;
    if (seen?.has(name)) return name.replace(/(^|-)[a-z]/g, (initial) => initial.toUpperCase());
    (seen ??= new Set()).add(name);
  }
  return undefined;
}

/** Every value of the field `name` (lower case) in `rawHeaders`, in order (node keeps only the first of some in `headers`). */
export function fieldValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const field = rawHeaders[i]!;
    if (field.length === name.length && field.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  return values;
}
