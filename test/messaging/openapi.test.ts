import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { z } from 'zod';
import { usePlatform } from '../helpers/platform.js';
import { ENDPOINTS, tokenFor } from '../helpers/api.js';
import { JSON_BODY_LIMIT_BYTES } from '../../server/src/http/json-body.js';

interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        security: Record<string, string[]>[];
        responses: Record<string, { content?: Record<string, { schema: object }> }>;
      }
    >
  >;
  components: {
    schemas: Record<string, object>;
    securitySchemes: Record<
      string,
      { type: string; flows?: { authorizationCode?: { scopes: Record<string, string> } } }
    >;
  };
}

/** The document's schema of one response, as a validator independent of our zod schemas. */
function validatorOf(doc: Doc, method: string, path: string, status: number, type: string): z.ZodType {
  const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.[type]?.schema;
  if (!schema) throw new Error(`${method} ${path} ${status} ${type} is not described`);
  const rooted = JSON.stringify({ ...schema, $defs: doc.components.schemas }).replaceAll(
    '#/components/schemas/',
    '#/$defs/',
  );
  return z.fromJSONSchema(JSON.parse(rooted));
}

const opOf = (e: (typeof ENDPOINTS)[number]) => ({ method: e.method, path: e.name.split(' ')[1]! });

describe('the OpenAPI document', () => {
  const gh = usePlatform();
  let doc: Doc;
  let token: string;
  beforeAll(async () => {
    doc = (await request(gh.url).get('/api/v1/openapi.json').expect(200).expect('Content-Type', /json/)).body as Doc;
    token = await tokenFor(gh, 'alice');
  });

  it('When the docs group the endpoints, then Messages holds the message routes (DELETE /messages/{messageId} too) and no section is empty', () => {
    const byTag: Record<string, string[]> = {};
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops))
        for (const tag of (op as unknown as { tags: string[] }).tags)
          (byTag[tag] ??= []).push(`${method.toUpperCase()} ${path}`);
    }
    expect(byTag['Messages']?.sort()).toEqual([
      'DELETE /messages/{messageId}',
      'GET /threads/{threadId}/messages',
      'POST /me/messages',
      'POST /threads/{threadId}/messages',
    ]);
    expect(byTag['Me']?.sort()).toEqual(['GET /me', 'GET /me/friends']);
    expect(byTag['Threads']?.sort()).toEqual(['GET /threads', 'GET /threads/{threadId}/participants']);
  });

  it('When an operation is listed, then it documents the preconditions the API honours: If-Match and If-None-Match, the 412, and for a read the 304 it answers', async () => {
    const reads: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path === '/openapi.json') continue;
      for (const [method, op] of Object.entries(ops)) {
        const o = op as unknown as { parameters?: { in: string; name: string }[]; responses: Record<string, unknown> };
        const headers = (o.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
        expect([method, path, headers]).toEqual([method, path, expect.arrayContaining(['If-Match', 'If-None-Match'])]);
        expect([method, path, Object.keys(o.responses)]).toEqual([method, path, expect.arrayContaining(['412'])]);
        if (method === 'get') {
          expect([path, Object.keys(o.responses)]).toEqual([path, expect.arrayContaining(['304'])]);
          reads.push(path);
        }
      }
    }
    // What is documented is what is answered: each read without parameters answers If-None-Match: * with 304.
    for (const path of reads.filter((p) => !p.includes('{'))) {
      await request(gh.url)
        .get(`/api/v1${path}`)
        .set('Authorization', `Bearer ${token}`)
        .set('If-None-Match', '*')
        .expect(304);
    }
    expect(reads.length).toBeGreaterThan(3);
  });

  it('When the document is fetched without a token, then it is OpenAPI 3.1 with every scope in an OAuth 2.0 scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    const scopes = Object.keys(doc.components.securitySchemes['glasshouse']?.flows?.authorizationCode?.scopes ?? {});
    expect(scopes.sort()).toEqual([...new Set(ENDPOINTS.map((e) => e.scope))].sort());
  });

  it.each(ENDPOINTS)('When $name is looked up, then it is described with its scope, errors and examples', (e) => {
    const { method, path } = opOf(e);
    const op = doc.paths[path]?.[method];
    expect(op).toBeDefined();
    expect(op!.security).toEqual([{ glasshouse: [e.scope] }]);
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining([String(e.ok), '401', '403', '429']));
    if (e.body) {
      expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['400', '413', '415']));
      // The limit the body reader enforces (it said 16 kB while 32 KiB were taken).
      expect((op!.responses['413'] as { description: string }).description).toBe(
        `Body over ${JSON_BODY_LIMIT_BYTES / 1024} KiB`,
      );
    }
  });

  it('When the document lists paths, then each is one of the public contract (no undocumented or extra route)', () => {
    const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(ENDPOINTS.map((e) => e.name).sort());
    expect(JSON.stringify(doc.components.schemas)).toContain('"example"');
  });

  it.each(ENDPOINTS)('When $name answers for real, then its success body validates against the document', async (e) => {
    const { method, path } = opOf(e);
    const req = request(gh.url)[e.method](e.path).set('Authorization', `Bearer ${token}`);
    const nowPlaying = { kind: 'track', title: 'Gnossienne No. 1', artist: 'Erik Satie', url: 'https://example.org/g' };
    const res = await (e.body ? req.send({ ...e.body, nowPlaying }) : req);
    expect(res.status).toBe(e.ok);
    if (e.ok === 204) {
      expect(doc.paths[path]![method]!.responses['204']!.content).toBeUndefined();
      return;
    }
    expect(validatorOf(doc, method, path, e.ok, 'application/json').safeParse(res.body).error).toBeUndefined();
  });

  it.each(ENDPOINTS)('When $name fails (401, 403), then the problem validates against the document', async (e) => {
    const { method, path } = opOf(e);
    const noScope = await tokenFor(
      gh,
      'bob',
      ['profile', 'friends:read'].filter((s) => s !== e.scope),
    );
    for (const [status, header] of [
      [401, 'Bearer nope'],
      [403, `Bearer ${noScope}`],
    ] as const) {
      const req = request(gh.url)[e.method](e.path).set('Authorization', header);
      const res = await (e.body ? req.send(e.body) : req);
      expect(res.status).toBe(status);
      expect(
        validatorOf(doc, method, path, status, 'application/problem+json').safeParse(res.body).error,
      ).toBeUndefined();
    }
  });

  it('When a body does not match, then the document-derived validator refuses it (the check can fail)', () => {
    const message = validatorOf(doc, 'post', '/threads/{threadId}/messages', 201, 'application/json');
    const good = {
      id: 'm',
      threadId: 't',
      sender: { id: 'p', username: 'u', displayName: 'U' },
      text: 'x',
      createdAt: 1,
    };
    expect(message.safeParse(good).success).toBe(true);
    expect(message.safeParse({ ...good, senderId: 'p' }).success).toBe(false);
    expect(message.safeParse({ ...good, sender: { id: 'p' } }).success).toBe(false);
  });

  it('When /docs is opened, then Swagger UI is served from local assets and points at the document', async () => {
    const page = await request(gh.url).get('/docs/').expect(200).expect('Content-Type', /html/);
    expect(page.text).not.toMatch(/(src|href)=["']https?:/);
    await request(gh.url)
      .get('/docs/swagger-ui-bundle.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    const init = await request(gh.url).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('/api/v1/openapi.json');
    await request(gh.url).get('/docs').expect(301).expect('Location', '/docs/');
  });
});
