import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import {
  answersIn,
  connectionsAfterClosing,
  continuePipelinedBehind,
  PARSER_REFUSALS,
  rawRequest,
} from '../helpers/raw-http.js';
import { API_HEADERS } from '../../server/src/http/api-headers.js';

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

  /** Each endpoint of the authorization server and the methods its router takes there (with OPTIONS). */
  const ENDPOINTS: [path: string, allow: string][] = [
    ['/auth', 'GET, HEAD, OPTIONS'],
    ['/auth/some-uid', 'GET, HEAD, OPTIONS'],
    ['/token', 'POST, OPTIONS'],
    ['/token/revocation', 'POST, OPTIONS'],
    ['/token/introspection', 'POST, OPTIONS'],
    ['/reg', 'POST, OPTIONS'],
    ['/reg/tunewave', 'GET, HEAD, OPTIONS'],
    ['/request', 'POST, OPTIONS'],
    ['/session/end/confirm', 'POST, OPTIONS'],
    ['/jwks', 'GET, HEAD, OPTIONS'],
    ['/jwks/', 'GET, HEAD, OPTIONS'],
    ['/token/', 'POST, OPTIONS'],
    ['/.well-known/oauth-authorization-server', 'GET, HEAD, OPTIONS'],
    ['/.well-known/openid-configuration', 'GET, HEAD, OPTIONS'],
  ];
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

  it.each(ENDPOINTS)(
    'When %s (an endpoint of the authorization server) gets each method, then the provider answers those it routes, OPTIONS is 204 and any other is a 405 problem with Allow: %s',
    async (path, allow) => {
      for (const method of METHODS) {
        const verb = method.toLowerCase() as 'get';
        const res = await request(gh.url)[verb](path).set('Accept', 'application/json');
        const answered = `${method} ${path}: ${res.status}`;
        if (method === 'OPTIONS') expect([answered, res.headers['allow']]).toEqual([`${method} ${path}: 204`, allow]);
        else if (allow.split(', ').includes(method)) expect([404, 405]).not.toContain(res.status);
        else {
          expect([answered, res.headers['allow'], res.type]).toEqual([
            `${method} ${path}: 405`,
            allow,
            'application/problem+json',
          ]);
          if (method !== 'HEAD')
            expect(res.body).toMatchObject({ status: 405, detail: expect.stringContaining(allow) });
        }
      }
    },
  );

  it('When a path under an endpoint is not one of its routes, then a 404 problem, not a bare text', async () => {
    const res = await request(gh.url).get('/token/nothing').set('Accept', 'application/json');
    expect([res.status, res.type, res.body.status]).toEqual([404, 'application/problem+json', 404]);
  });

  it('When an OAuth endpoint is asked for, then the provider still answers it', async () => {
    await request(gh.url).get('/.well-known/openid-configuration').expect(200);
    await request(gh.url).get('/jwks').expect(200);
  });

  it.each(['localhost:99999', 'localhost:abc', '%', '[::1', 'a@b', 'a/b', 'evil"><x'])(
    'When the discovery document is asked for with Host: %s, then it is a 400 problem, not a 500 (oidc-provider builds its URLs from Host)',
    async (host) => {
      const raw = `GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
      const { answer, socket } = await rawRequest(gh.url, raw);
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({
        status: 400,
        detail: expect.stringContaining('Host'),
      });
      socket.destroy();
      const fine = await rawRequest(gh.url, raw.replace(`Host: ${host}`, 'Host: localhost:1234'));
      expect(fine.answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      fine.socket.destroy();
    },
  );

  it('When a target is in absolute-form with a good authority, then it is served as that path, the authority standing for Host (RFC 9112 §3.2.2)', async () => {
    const raw =
      'GET http://localhost:1234/.well-known/oauth-authorization-server HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n';
    const { answer, socket } = await rawRequest(gh.url, raw);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(answer).toContain('"token_endpoint":"http://localhost:1234/');
    socket.destroy();
  });

  it.each([
    ['a bad Host', 'GET /socket.io/?EIO=4&transport=polling', 'Host: a b\r\n', 'Host'],
    ['a Host with credentials', 'GET /socket.io/?EIO=4&transport=polling', 'Host: a@b\r\n', 'Host'],
    ['no Host', 'GET /socket.io/?EIO=4&transport=polling', '', 'Host'],
    [
      'a WebSocket upgrade with a bad Host',
      'GET /socket.io/?EIO=4&transport=websocket',
      'Host: a b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
      'Host',
    ],
  ])(
    'When a socket.io request has %s, then it is refused by the server-wide checks before engine.io answers it, as 400 problem details with the API headers',
    async (_what, requestLine, headers, named) => {
      const { answer, socket } = await rawRequest(
        gh.url,
        `${requestLine} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`,
      );
      socket.destroy();
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      for (const [name, value] of API_HEADERS) expect(answer).toContain(`\r\n${name}: ${value}\r\n`);
      expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({
        status: 400,
        detail: expect.stringContaining(named),
      });
    },
  );

  it.each([
    ['an unknown transport', 'GET /socket.io/?EIO=4&transport=carrier-pigeon', 'Host: x\r\n'],
    ['an unsupported protocol version', 'GET /socket.io/?EIO=9&transport=polling', 'Host: x\r\n'],
    ['an unknown session id', 'GET /socket.io/?EIO=4&transport=polling&sid=nope', 'Host: x\r\n'],
  ])(
    'When a socket.io request has %s, then engine.io refuses it (it answers before express) as 400 problem details with the API headers',
    async (_what, requestLine, headers) => {
      const close = headers.includes('Upgrade') ? '' : 'Connection: close\r\n';
      const { answer, socket } = await rawRequest(gh.url, `${requestLine} HTTP/1.1\r\n${headers}${close}\r\n`);
      socket.destroy();
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(answer).toContain('Content-Type: application/problem+json');
      for (const [name, value] of API_HEADERS) expect(answer).toContain(`\r\n${name}: ${value}\r\n`);
      expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({
        status: 400,
        detail: expect.stringContaining('engine.io'),
      });
    },
  );

  it.each([
    ['a protocol version engine.io does not speak', 'EIO=9&transport=websocket', 'Upgrade: websocket'],
    ['no protocol version', 'transport=websocket', 'Upgrade: websocket'],
    ['the polling transport', 'EIO=4&transport=polling', 'Upgrade: websocket'],
    ['Upgrade twice', 'EIO=4&transport=websocket', 'Upgrade: websocket\r\nUpgrade: websocket'],
    ['another protocol beside websocket', 'EIO=4&transport=websocket', 'Upgrade: websocket, foo'],
  ])(
    'When a WebSocket upgrade to socket.io names %s, then it is a 400 problem before any 101 (engine.io checked the version only after its 101, ws answered in text/html), and the connection closes',
    async (_what, query, upgrade) => {
      const { answer, socket } = await rawRequest(
        gh.url,
        `GET /socket.io/?${query} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n${upgrade}\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      socket.destroy();
      expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, status]) => status)).toEqual(['400']);
      expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json/i);
      expect(await connectionsAfterClosing(gh.platform.httpServer)).toBe(0);
    },
  );

  it('When a socket.io handshake names a good Host, then engine.io opens a session', async () => {
    const fine = await rawRequest(
      gh.url,
      'GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(fine.answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    fine.socket.destroy();
  });

  it.each(PARSER_REFUSALS)(
    'When a request has %s, then the answer is that status as problem details, not a bare status line',
    async (_what, raw, status) => {
      const { answer, socket } = await rawRequest(gh.url, raw);
      expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toContain('Content-Type: application/problem+json');
      // An origin server with a clock sends Date (RFC 9110 §6.6.1), on answers it writes itself too.
      expect(answer).toMatch(/\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/);
      // The parser does not say which path was asked (an API path, maybe): the API's header list goes on each.
      for (const [name, value] of API_HEADERS) expect(answer).toContain(`\r\n${name}: ${value}\r\n`);
      expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({ status });
      // The client keeps its side open: the server closes the connection anyway (no file left open).
      expect(await connectionsAfterClosing(gh.platform.httpServer)).toBe(0);
      socket.destroy();
    },
  );

  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
  it.each([
    ['answered at once', get('/healthz') + 'FOO BAR\r\n\r\n', ['200', '400']],
    ['answered after the bearer check', get('/api/v1/me') + 'FOO BAR\r\n\r\n', ['401', '400']],
    ['a method node does not know', get('/healthz') + 'FOO /healthz HTTP/1.1\r\n\r\n', ['200', '501']],
    [
      'a CONNECT',
      get('/healthz') + get('/policy') + 'CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n',
      ['200', '200', '405'],
    ],
    [
      'two good ones before it',
      get('/api/v1/me') + get('/healthz') + get('/policy') + 'FOO / HTTP/1.1\r\n\r\n',
      ['401', '200', '200', '501'],
    ],
    [
      'a body longer than its Content-Length',
      'POST /api/v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{"text":"long body"}',
      ['405', '400'],
    ],
  ])(
    'When a request the parser refuses is pipelined after good ones (%s), then each is answered, in order, and the connection closed',
    async (_when, raw, statuses) => {
      const { answer, socket } = await rawRequest(gh.url, raw);
      socket.destroy();
      expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, status]) => status)).toEqual(statuses);
      expect(await connectionsAfterClosing(gh.platform.httpServer)).toBe(0);
    },
  );

  it.each([
    ['no authority', 'GET http:// HTTP/1.1'],
    ['an unclosed IPv6 literal', 'GET http://[::1/api/v1/me HTTP/1.1'],
  ])("When an absolute-form target has %s, then it is a 400 problem, not express's page", async (_what, line) => {
    const { answer, socket } = await rawRequest(gh.url, `${line}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    socket.destroy();
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(answer).toContain('Content-Type: application/problem+json');
  });

  it('When a good absolute-form target asks for a page behind the login, then the login leads back to its path', async () => {
    const { answer, socket } = await rawRequest(
      gh.url,
      `GET ${gh.url}/threads/g_weekend HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );
    socket.destroy();
    expect(answer).toMatch(/\r\nLocation: \/login\?returnTo=%2Fthreads%2Fg_weekend\r\n/);
  });

  it('When a request expecting 100-continue is pipelined behind a large answer, then its 100 Continue never lands inside an answer', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await continuePipelinedBehind(gh.url, '/assets/pico.min.css', '/no/such/page');
      expect(answersIn(answer)).toMatchObject({ tiled: true, statuses: expect.arrayContaining(['200', '404']) });
    }
  });

  it.each([
    ['a field sent twice', 'User-Agent: a\r\nUser-Agent: b\r\nContent-Length: 2', '400'],
    ['a transfer coding besides chunked', 'Transfer-Encoding: gzip, chunked', '501'],
  ])(
    'When a request expecting 100-continue is refused before any route (%s), then no 100 Continue invites its body',
    async (_what, fields, status) => {
      const { answer, socket } = await rawRequest(
        gh.url,
        `POST /api/v1/me HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n${fields}\r\n\r\n`,
      );
      socket.destroy();
      expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, s]) => s)).toEqual([status]);
    },
  );

  it('When a request expects 100-continue and nothing else, then it gets 100 Continue and its answer', async () => {
    const { answer, socket } = await rawRequest(
      gh.url,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nConnection: close\r\n\r\n',
    );
    socket.destroy();
    expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, status]) => status)).toEqual(['100', '200']);
  });

  it.each([
    ['Authorization', 'the monitor', 'GET /monitor/log.json', 'Authorization: Bearer ADMIN\r\nAuthorization: Bearer x'],
    [
      'Authorization',
      "the token endpoint's client authentication",
      'POST /token',
      'Authorization: Basic dHVuZXdhdmU6eA==\r\nAuthorization: Basic eDp4',
    ],
    [
      'Content-Type',
      'a post to the API',
      'POST /api/v1/threads/t_alice_bob/messages',
      'Authorization: Bearer x\r\nContent-Type: application/json\r\ncontent-type: text/plain',
    ],
    [
      'If-Modified-Since',
      'a page',
      'GET /login',
      'If-Modified-Since: Tue, 01 Dec 2026 00:00:00 GMT\r\nIf-Modified-Since: x',
    ],
    ['User-Agent', 'discovery', 'GET /.well-known/oauth-authorization-server', 'User-Agent: a\r\nUser-Agent: b'],
    [
      'User-Agent',
      "engine.io's polling handshake",
      'GET /socket.io/?EIO=4&transport=polling',
      'User-Agent: a\r\nUser-Agent: b',
    ],
    [
      'Referer',
      "engine.io's WebSocket handshake",
      'GET /socket.io/?EIO=4&transport=websocket',
      'Referer: http://a/\r\nReferer: http://b/\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ],
    ['User-Agent', "socket.io's client script", 'GET /socket.io/socket.io.js', 'User-Agent: a\r\nUser-Agent: b'],
  ])(
    'When %s, a field that holds one value, is sent twice to %s, then 400 problem details naming it (node keeps the first; RFC 9110 §5.3), before any route reads one',
    async (field, _where, line, fields) => {
      const { answer, socket } = await rawRequest(
        gh.url,
        `${line} HTTP/1.1\r\nHost: x\r\n${fields.replace('ADMIN', gh.config.ADMIN_TOKEN)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      socket.destroy();
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json/i);
      expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({ detail: expect.stringContaining(field) });
    },
  );

  it('When list fields (Accept, Cookie) are sent twice, then they are served as usual', async () => {
    const { answer, socket } = await rawRequest(
      gh.url,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nAccept: */*\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n',
    );
    socket.destroy();
    expect(answer.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('When an HTTP/1.0 request names no Host, then URLs built from it name the address it connected to, never an empty host', async () => {
    const { answer, socket } = await rawRequest(gh.url, 'GET /.well-known/oauth-authorization-server HTTP/1.0\r\n\r\n');
    socket.destroy();
    expect(answer.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 200 /);
    const discovery = JSON.parse(answer.split('\r\n\r\n')[1]!) as Record<string, unknown>;
    const urls = Object.values(discovery).filter((v): v is string => typeof v === 'string' && v.startsWith('http'));
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) expect(new URL(url).host).not.toBe('');
    expect(urls.some((url) => new URL(url).host === new URL(gh.url).host)).toBe(true);
  });

  it('When the request target is * (RFC 9112 §3.2.4), then OPTIONS gets 204 with Allow and any other method 400 problem details, never a 500', async () => {
    const ask = async (method: string) => {
      const { answer, socket } = await rawRequest(
        gh.url,
        `${method} * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      socket.destroy();
      return answer;
    };
    const options = await ask('OPTIONS');
    expect(options.split('\r\n')[0]).toBe('HTTP/1.1 204 No Content');
    expect(options).toMatch(/\r\nAllow: GET, HEAD, POST/);
    const get = await ask('GET');
    expect(get.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(get.split('\r\n\r\n')[1]!)).toMatchObject({
      status: 400,
      detail: expect.stringContaining('RFC 9112'),
    });
  });
});
