import { describe, expect, it } from '@jest/globals';
import net from 'node:net';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';

/**
 * Sends `raw` bytes on a new connection to `url` from a client that keeps its own side open
 * (allowHalfOpen); resolves with everything answered once the server ended its side, and the socket.
 */
function rawRequest(url: string, raw: string): Promise<{ answer: string; socket: net.Socket }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true }, () => socket.write(raw));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve({ answer, socket }));
    socket.on('error', reject);
  });
}

/** Open connections of the platform's server. */
const connections = (server: import('node:http').Server) =>
  new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

describe('a path the platform does not have', () => {
  const gh = usePlatform();

  it.each(['/no/such/page', '/monitor/nope', '/settings/apps/x/revoke'])(
    'When %s is asked for as JSON, then the answer is a 404 problem',
    async (path) => {
      const res = await request(gh.url).get(path).set('Accept', 'application/json');
      expect([res.status, res.type, res.body.status]).toEqual([404, 'application/problem+json', 404]);
    },
  );

  it("When a browser asks for it, then it gets the platform's 404 page", async () => {
    const res = await request(gh.url).get('/no/such/page').set('Accept', 'text/html');
    expect([res.status, res.type]).toEqual([404, 'text/html']);
    expect(res.text).toContain('<html');
  });

  it.each([
    ['get', '/token'],
    ['get', '/token/revocation'],
    ['get', '/reg'],
    ['post', '/jwks'],
    ['get', '/session/end/confirm'],
  ] as const)(
    'When %s %s (a method the authorization server has no route for) is sent, then a 404 problem, not a bare text',
    async (method, path) => {
      const res = await request(gh.url)[method](path).set('Accept', 'application/json');
      expect([res.status, res.type, res.body.status]).toEqual([404, 'application/problem+json', 404]);
    },
  );

  it('When an OAuth endpoint is asked for, then the provider still answers it', async () => {
    await request(gh.url).get('/.well-known/openid-configuration').expect(200);
    await request(gh.url).get('/jwks').expect(200);
  });

  it.each([
    ['headers over the limit', `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['bytes that are not HTTP', 'HELLO THERE\r\n\r\n', 400],
    [
      'chunk extensions over the limit',
      `POST /api/v1/me HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;${'a'.repeat(20_000)}\r\nx\r\n0\r\n\r\n`,
      413,
    ],
  ])(
    'When a request has %s, then the answer is that status as problem details, not a bare status line',
    async (_what, raw, status) => {
      const { answer, socket } = await rawRequest(gh.url, raw);
      expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toContain('Content-Type: application/problem+json');
      expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({ status });
      // The client keeps its side open: the server closes the connection anyway (no file left open).
      for (let i = 0; i < 100 && (await connections(gh.platform.httpServer)) > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await connections(gh.platform.httpServer)).toBe(0);
      socket.destroy();
    },
  );
});
