import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { API_HEADERS } from '../../server/src/http/api-headers.js';
import { rawRequest } from '../helpers/raw-http.js';

/** One request asking to switch to HTTP/2 in cleartext, as `curl --http2 http://…` sends it. */
function withUpgrade(url: string, method: string, body?: string, extra: Record<string, string> = {}) {
  return new Promise<{ status: number; type: string | undefined; text: string; headers: http.IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = http.request(url, {
        method,
        headers: {
          connection: 'Upgrade, HTTP2-Settings',
          upgrade: 'h2c',
          'http2-settings': 'AAMAAABkAAQAoAAAAAIAAAAA',
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          ...extra,
        },
      });
      req.setTimeout(5_000, () => req.destroy(new Error('no answer')));
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode!, type: res.headers['content-type'], text, headers: res.headers }),
        );
      });
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe('requests that ask to switch protocols (Upgrade: h2c) get an HTTP/1.1 answer (RFC 9110 §7.8)', () => {
  const gh = usePlatform();
  /** An access token of `username` (minted by the admin API) whose next API call waits `latencyMs` first. */
  const tokenAnsweredAfter = async (username: string, latencyMs: number) => {
    const admin = { Authorization: `Bearer ${gh.config.ADMIN_TOKEN}` };
    const minted = await request(gh.url)
      .post('/admin/tokens')
      .set(admin)
      .send({ username, clientId: 'tunewave', scopes: ['profile'] })
      .expect(200);
    const token = (minted.body as { access_token: string }).access_token;
    await request(gh.url)
      .post('/admin/faults')
      .set(admin)
      .send({ token, kind: 'latency', latencyMs, times: 1 })
      .expect(200);
    return token;
  };

  it('When a page or an API path is asked for with Upgrade: h2c, then it is answered as usual, not an empty reply', async () => {
    const page = await withUpgrade(`${gh.url}/login`, 'GET');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="username"');
    const api = await withUpgrade(`${gh.url}/api/v1/me`, 'GET');
    expect(api.status).toBe(401);
    expect(api.type).toMatch(/^application\/problem\+json/);
  });

  it("When the answer takes longer than a second (an injected latency), or the path only looks like socket.io's, then it still comes", async () => {
    const token = await tokenAnsweredAfter('alice', 1_500);
    const slow = await withUpgrade(`${gh.url}/api/v1/me`, 'GET', undefined, { authorization: `Bearer ${token}` });
    expect(slow.status).toBe(200);
    expect(JSON.parse(slow.text)).toMatchObject({ id: 'p_alice' });
    const lookalike = await withUpgrade(`${gh.url}/socket.iox`, 'GET');
    expect(lookalike.status).toBe(404);
  });

  it('When the client resets the connection while its answer is on the way, then the platform goes on (no unhandled socket error)', async () => {
    const token = await tokenAnsweredAfter('bob', 400);
    const { port } = new URL(gh.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`,
    );
    await new Promise((r) => setTimeout(r, 100));
    socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 600)); // past the answer's write to the reset connection
    await request(gh.url).get('/login').expect(200);
  });

  it('When a request is pipelined after one with Upgrade and no body, then the first is answered as usual, not refused as a body', async () => {
    const { answer, socket } = await rawRequest(
      gh.url,
      'GET /policy HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nGET /policy HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    socket.destroy();
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(answer).toContain('"mode"');
  });

  it.each([
    ['without a body', 'GET /policy HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n', '200'],
    [
      'with a body',
      'POST /policy HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\n{}',
      '400',
    ],
  ])(
    'When a request with Upgrade (%s) is pipelined after another, then both are answered in order and the platform goes on (it ended the process)',
    async (_what, upgrade, status) => {
      const { answer, socket } = await rawRequest(gh.url, `GET /policy HTTP/1.1\r\nHost: x\r\n\r\n${upgrade}`);
      socket.destroy();
      expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, s]) => s)).toEqual(['200', status]);
      await request(gh.url).get('/healthz').expect(200);
    },
  );

  // Larger than a socket's buffer: its answer is still being written when the next request arrives.
  const large = 'GET /socket.io/socket.io.js HTTP/1.1\r\nHost: x\r\n\r\n';
  it.each([
    ['with Upgrade', 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n', '200'],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n', '405'],
  ])(
    'When a request %s is pipelined after a large answer, then that answer is finished first (it hung at 64 KiB), then its own',
    async (_what, next, status) => {
      const { answer, socket } = await rawRequest(gh.url, large + next);
      socket.destroy();
      expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, s]) => s)).toEqual(['200', status]);
    },
  );

  /** Everything answered on one connection until it closes, or for `ms` after sending `raw` (a WebSocket stays open). */
  async function answeredWithin(raw: string, ms: number): Promise<string> {
    const socket = net.connect(Number(new URL(gh.url).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(raw);
    await new Promise((resolve) => {
      setTimeout(resolve, ms);
      socket.once('close', resolve);
    });
    socket.destroy();
    return answer;
  }
  const webSocket = (query: string, host = 'x') =>
    `GET /socket.io/?EIO=4&transport=websocket${query} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

  it('When a socket.io WebSocket upgrade is pipelined after a large answer, then that answer is finished first, then the 101', async () => {
    const answer = await answeredWithin(large + webSocket(''), 800);
    // The first answer is chunked: it ends with its last chunk, and the 101 comes right after it, once.
    expect(answer.startsWith('HTTP/1.1 200 ')).toBe(true);
    expect(answer.indexOf('HTTP/1.1 101 ')).toBe(answer.indexOf('\r\n0\r\n\r\n') + '\r\n0\r\n\r\n'.length);
  });

  it.each([
    ['an unknown session id', '&sid=nope', 'x'],
    ['a Host that is not host[:port]', '', 'a b'],
  ])(
    'When engine.io refuses a WebSocket upgrade (%s) pipelined after another request, then it is a 400 problem after that answer, not a closed connection',
    async (_what, query, host) => {
      const answer = await answeredWithin('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' + webSocket(query, host), 1_000);
      expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, status]) => status)).toEqual(['200', '400']);
      expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json/i);
    },
  );

  it.each([
    ['a body', 'Content-Length: 6\r\n', '400', '\x81\x82abcd40'],
    ['an Expect', 'Expect: 100-continue\r\n', '417', ''],
    ['a field that holds one value twice', 'User-Agent: a\r\nUser-Agent: b\r\n', '400', ''],
    ['a transfer coding besides chunked', 'Transfer-Encoding: gzip, chunked\r\n', '501', ''],
    ['a second Sec-WebSocket-Key', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n', '400', ''],
    ['a second Sec-WebSocket-Version', 'Sec-WebSocket-Version: 8\r\n', '400', ''],
  ])(
    'When a socket.io WebSocket upgrade comes with %s, then it is refused with problem details before engine.io, never a 101',
    async (_what, fields, status, body) => {
      const raw = webSocket('').replace('\r\n\r\n', `\r\n${fields}\r\n`) + body;
      const answer = await answeredWithin(raw, 800);
      expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json/i);
      expect(answer).not.toContain(' 101 ');
    },
  );

  it('When a WebSocket upgrade of an open polling session (with its sid) repeats a field, or a handshake is sent as HTTP/2.0 or 1.0, or with another WebSocket version or no key, then it is refused as problem details (allowRequest sees only new sessions; ws answered in bare text)', async () => {
    const open = await request(gh.url).get('/socket.io/?EIO=4&transport=polling').expect(200);
    const sid = (JSON.parse(open.text.slice(1)) as { sid: string }).sid;
    const twice = await answeredWithin(
      webSocket(`&sid=${sid}`).replace('\r\n\r\n', '\r\nUser-Agent: a\r\nUser-Agent: b\r\n\r\n'),
      800,
    );
    expect(twice.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const version = await answeredWithin(webSocket('').replace(' HTTP/1.1\r\n', ' HTTP/2.0\r\n'), 800);
    expect(version.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 505 /);
    for (const [from, to] of [
      [' HTTP/1.1\r\n', ' HTTP/1.0\r\n'],
      ['Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'],
      ['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n', ''],
    ]) {
      const refused = await answeredWithin(webSocket('').replace(from!, to!), 800);
      expect(refused.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(refused).toMatch(/\r\nContent-Type: application\/problem\+json/i);
    }
  });

  it("When socket.io's client script or its polling transport is asked for with Upgrade: h2c, then it is answered as usual (engine.io took it for a WebSocket)", async () => {
    const script = await withUpgrade(`${gh.url}/socket.io/socket.io.js`, 'GET');
    expect(script.status).toBe(200);
    expect(script.text).toContain('Socket.IO');
    const polling = await withUpgrade(`${gh.url}/socket.io/?EIO=4&transport=polling`, 'GET');
    expect(polling.status).toBe(200);
    expect(polling.text).toMatch(/^0\{"sid":/);
  });

  it('When such a request carries a body, then it is refused with problem details (node gives an upgrade body to no one)', async () => {
    const res = await withUpgrade(`${gh.url}/api/v1/threads/t_alice_bob/messages`, 'POST', '{"text":"hi"}');
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ status: 400, detail: expect.stringContaining('Upgrade') });
    for (const [name, value] of API_HEADERS) expect(res.headers[name.toLowerCase()]).toBe(value);
  });
});
