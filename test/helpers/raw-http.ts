import type { Server } from 'node:http';
import net from 'node:net';

/**
 * Sends `raw` bytes on a new connection to `url` from a client that keeps its own side open
 * (allowHalfOpen); resolves with everything answered once the server ended its side, and the socket.
 */
export function rawRequest(url: string, raw: string): Promise<{ answer: string; socket: net.Socket }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true }, () => socket.write(raw));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve({ answer, socket }));
    socket.on('error', reject);
  });
}

/** Open connections of `server`. */
export const connections = (server: Server) =>
  new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

/** Waits (up to 2 s) until `server` has no open connection; resolves with how many are left. */
export async function connectionsAfterClosing(server: Server): Promise<number> {
  for (let i = 0; i < 100 && (await connections(server)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return connections(server);
}

/**
 * Requests node:http refuses before any app sees them (its parser, a missing Host, an unknown Expect,
 * CONNECT), each with the status it is answered with.
 */
export const PARSER_REFUSALS: Array<[what: string, raw: string, status: number]> = [
  ['headers over the limit', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ['bytes that are not HTTP', 'HELLO THERE\r\n\r\n', 400],
  [
    'an API path with headers over the limit',
    `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nIf-Match: ${'a'.repeat(17_000)}\r\n\r\n`,
    431,
  ],
  ['a method node does not know (RFC 9110 §15.6.2)', 'FOO /api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n', 501],
  ['an unknown method in a request line that is not HTTP', 'FOO /api/v1/me\r\n\r\n', 400],
  ['a CONNECT request (no proxy here)', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405],
  ['no Host (HTTP/1.1)', 'GET /api/v1/me HTTP/1.1\r\n\r\n', 400],
  ['a Host that is not host[:port]', 'GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: a b\r\n\r\n', 400],
  ['two Host fields', 'GET /api/v1/me HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
  [
    'Content-Type sent twice (a field that holds one value: node keeps the first)',
    'POST /api/v1/me HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n',
    400,
  ],
  [
    'a transfer coding besides chunked (RFC 9112 §6.1)',
    'POST /api/v1/me HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    501,
  ],
  ['User-Agent sent twice', 'GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\nuser-agent: b\r\n\r\n', 400],
  ['an empty Host', 'GET /api/v1/me HTTP/1.1\r\nHost: \r\n\r\n', 400],
  ['a tab inside Host', 'GET / HTTP/1.1\r\nHost: a\tb\r\n\r\n', 400],
  ['a Host that is not ASCII (RFC 3986 §3.2.2)', 'GET / HTTP/1.1\r\nHost: \u00e9\r\n\r\n', 400],
  [
    'an absolute-form target with a bad authority',
    'GET http://u@localhost:99999/.well-known/oauth-authorization-server HTTP/1.1\r\nHost: localhost\r\n\r\n',
    400,
  ],
  ['an absolute-form target that is no URL', 'GET http://a%/ HTTP/1.1\r\nHost: localhost\r\n\r\n', 400],
  ['a request line of HTTP/2.0 (RFC 9110 §15.6.6)', 'GET /api/v1/me HTTP/2.0\r\nHost: x\r\n\r\n', 505],
  ['a bare HTTP/0.9 request line', 'GET /api/v1/me\r\n\r\n', 505],
  ['an Expect other than 100-continue', 'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n', 417],
  [
    'Expect sent twice, once 100-continue',
    'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nExpect: 100-continue\r\n\r\n',
    417,
  ],
  [
    'an Expect listing another beside 100-continue',
    'GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, foo\r\n\r\n',
    417,
  ],
  [
    'chunk extensions over the limit',
    `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;${'a'.repeat(20_000)}\r\nx\r\n0\r\n\r\n`,
    413,
  ],
];

/**
 * The answers in `bytes` (read as latin1: one char per byte) one after the other, each by its
 * `Content-Length` (a 1xx has no body): their status codes, and whether they tile `bytes` exactly.
 * A `100 Continue` written inside another answer (between its head and its body) breaks the tiling.
 */
export function answersIn(bytes: string): { statuses: string[]; tiled: boolean } {
  const statuses: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const head = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\n/.exec(bytes.slice(at, at + 64));
    const end = bytes.indexOf('\r\n\r\n', at);
    if (!head || end < 0) return { statuses, tiled: false };
    statuses.push(head[1]!);
    const length = head[1]!.startsWith('1')
      ? 0
      : Number(/\r\ncontent-length: *(\d+)/i.exec(bytes.slice(at, end))?.[1] ?? NaN);
    if (Number.isNaN(length)) return { statuses, tiled: false };
    at = end + 4 + length;
  }
  return { statuses, tiled: at === bytes.length };
}

/**
 * A request with `Expect: 100-continue` pipelined behind `GET ${bigPath}` (an answer larger than the
 * socket's buffer, still being written when the second request is read), whose body is never sent:
 * everything answered on the connection (the second request asks for it to be closed).
 */
export async function continuePipelinedBehind(url: string, bigPath: string, path: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ port: Number(port), host: hostname });
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET ${bigPath} HTTP/1.1\r\nHost: ${url.slice('http://'.length)}\r\n\r\n` +
      `POST ${path} HTTP/1.1\r\nHost: ${url.slice('http://'.length)}\r\nAccept: text/html\r\nContent-Type: application/json\r\n` +
      `Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n`,
  );
  await new Promise((resolve) => socket.once('close', resolve));
  return answer;
}
