import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { API_HEADERS } from '../../server/src/http/api-headers.js';
import { tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';

describe('headers of API responses and of pages', () => {
  const gh = usePlatform();

  it('When the API answers (success, refusal or unknown route), then every response carries the API header list and no ETag', async () => {
    const token = await tokenFor(gh, 'alice', ['profile', 'messages:read']);
    const answers = await Promise.all([
      request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200),
      request(gh.url).get('/api/v1/threads/g_weekend/messages').set('Authorization', `Bearer ${token}`).expect(200),
      request(gh.url).get('/api/v1/me').expect(401),
      request(gh.url).get('/api/v1/no-such-route').set('Authorization', `Bearer ${token}`).expect(404),
    ]);
    for (const res of answers) {
      for (const [name, value] of API_HEADERS) expect(res.headers[name.toLowerCase()]).toBe(value);
      expect(res.headers['etag']).toBeUndefined();
    }
    expect(API_HEADERS.map(([n]) => n)).toEqual(
      expect.arrayContaining(['Cache-Control', 'X-Content-Type-Options', 'Content-Security-Policy', 'X-Frame-Options']),
    );
  });

  it('When a page of messages holds text outside ASCII, then it is UTF-8 JSON with the Content-Length of its bytes', async () => {
    const token = await tokenFor(gh, 'alice', ['messages:read', 'messages:write']);
    const text = 'Ünïcødé 🎵 \u2028 "quoted" \\';
    await request(gh.url)
      .post('/api/v1/threads/g_weekend/messages')
      .set('Authorization', `Bearer ${token}`)
      .send({ text })
      .expect(201);
    const res = await fetch(`${gh.url}/api/v1/threads/g_weekend/messages?limit=3`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    const body = JSON.parse(bytes.toString('utf8')) as { items: { text: string }[] };
    expect(body.items).toHaveLength(3);
    expect(body.items[0]!.text).toBe(text);
  });

  it('When the OpenAPI document is asked with another method, then it is 405 with Allow (OPTIONS: 204), as every API path', async () => {
    const allow = 'GET, HEAD, OPTIONS';
    const post = await request(gh.url).post('/api/v1/openapi.json').expect(405);
    expect(post.headers['allow']).toBe(allow);
    expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
    const options = await request(gh.url).options('/api/v1/openapi.json').expect(204);
    expect(options.headers['allow']).toBe(allow);
    for (const [name, value] of API_HEADERS) expect(post.headers[name.toLowerCase()]).toBe(value);
  });

  const bodiless = {
    'a HEAD': (path: string, token: string) => request(gh.url).head(path).set('Authorization', `Bearer ${token}`),
    'a 304 (If-None-Match: *)': (path: string, token: string) =>
      request(gh.url).get(path).set('Authorization', `Bearer ${token}`).set('If-None-Match', '*'),
  };
  it.each([
    ['a HEAD', '/api/v1/threads/g_weekend/messages?limit=2', 200, ['g_weekend']],
    ['a 304 (If-None-Match: *)', '/api/v1/threads/g_weekend/messages?limit=2', 304, ['g_weekend']],
    ['a HEAD', '/api/v1/threads?limit=2', 200, []],
    ['a 304 (If-None-Match: *)', '/api/v1/threads?limit=2', 304, []],
  ] as const)(
    'When a read is answered without its body (%s of %s), then its access-log entry lists no message, no person, and only the thread it named',
    async (kind, path, status, threadIds) => {
      const token = await tokenFor(gh, 'alice', ['messages:read']);
      const res = await bodiless[kind](path, token);
      expect(res.status).toBe(status);
      expect(res.text ?? '').toBe('');
      const entry = gh.store.all('accessLog').at(-1)!;
      expect(entry.operation).toBe(`GET ${path.replace('g_weekend', '{threadId}').replace(/\?.*/, '')}`);
      expect(entry).toMatchObject({ threadIds, messageIds: [], peopleIncluded: [], bystanders: [] });
    },
  );

  it('When the public OpenAPI document or an /api path outside /api/v1 answers, then it carries the API header list too', async () => {
    const answers = await Promise.all([
      request(gh.url).get('/api/v1/openapi.json').expect(200),
      request(gh.url).get('/api/v2/me').expect(404),
      request(gh.url).get('/api').expect(404),
    ]);
    for (const res of answers) {
      for (const [name, value] of API_HEADERS) expect(res.headers[name.toLowerCase()]).toBe(value);
      expect(res.headers['etag']).toBeUndefined();
    }
    expect(answers[1]!.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('When an API path is refused before its route runs (a parameter that does not decode) or is written in capitals, then the answer is problem details with the API header list, for a browser too', async () => {
    const token = await tokenFor(gh, 'alice', ['profile', 'messages:read']);
    const html = 'text/html,*/*;q=0.8';
    const answers = await Promise.all([
      request(gh.url).get('/api/v1/threads/%E0%A4%A/messages').set('Authorization', `Bearer ${token}`).expect(400),
      request(gh.url).put('/api/v1/threads/%ZZ/messages').expect(400),
      request(gh.url).delete('/api/v1/messages/%').set('Accept', html).expect(400),
      request(gh.url).get('/API/V1/ME').set('Accept', html).expect(401),
      request(gh.url).put('/API/V1/ME').set('Accept', html).expect(405),
      request(gh.url).get('/API/NOPE').set('Accept', html).expect(404),
    ]);
    for (const res of answers) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      for (const [name, value] of API_HEADERS) expect(res.headers[name.toLowerCase()]).toBe(value);
    }
  });

  it('When a page path only begins with the letters of api or admin (/api-docs, /admin-panel), then a browser gets the HTML page, not the API problem', async () => {
    for (const path of ['/api-docs', '/api.html', '/admin-panel']) {
      const res = await request(gh.url).get(path).set('Accept', 'text/html').expect(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('When a page answers, then it has the page headers (frame-ancestors none, nosniff), not the API list', async () => {
    const res = await request(gh.url).get('/login').expect(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).not.toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});
