import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { ALL_SCOPES, ENDPOINTS, revoke, stateOf, tokenFor } from '../helpers/api.js';
import { rawRequest } from '../helpers/raw-http.js';

describe('messaging API authentication and scopes', () => {
  let gh: RunningPlatform;
  let revoked: string;
  let noScopeFor: Record<string, string>;
  beforeAll(async () => {
    gh = await startPlatform();
    revoked = await tokenFor(gh, 'alice', ALL_SCOPES, 'reelbox');
    await revoke(gh, revoked);
    noScopeFor = {};
    for (const scope of ALL_SCOPES)
      noScopeFor[scope] = await tokenFor(
        gh,
        'alice',
        ALL_SCOPES.filter((s) => s !== scope),
      );
  });
  afterAll(async () => {
    await gh.close();
  });

  const send = (e: (typeof ENDPOINTS)[number], authorization?: string) => {
    let req = request(gh.url)[e.method](e.path);
    if (authorization !== undefined) req = req.set('Authorization', authorization);
    return e.body ? req.send(e.body) : req;
  };

  const problemOf = (res: request.Response) => {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return res.body as { status: number; type: string; scope?: string };
  };

  it('When Authorization is sent twice, even with a good token first, then 400 problem details (RFC 6750 §3.1): node would read the first only', async () => {
    const good = await tokenFor(gh, 'alice', ALL_SCOPES);
    const { answer, socket } = await rawRequest(
      gh.url,
      `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${good}\r\nAuthorization: Bearer other\r\nConnection: close\r\n\r\n`,
    );
    socket.destroy();
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({
      status: 400,
      detail: expect.stringContaining('Authorization'),
    });
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${good}`).expect(200);
  });

  it.each(ENDPOINTS)(
    'When $name is called without a token, then 401 with bare Bearer and DPoP challenges and nothing changes',
    async (e) => {
      const before = stateOf(gh.store);
      const res = await send(e);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="glasshouse", DPoP algs="ES256 Ed25519 EdDSA"');
      expect(problemOf(res).status).toBe(401);
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it.each(ENDPOINTS)('When $name is called with a bad token, then 401 invalid_token and nothing changes', async (e) => {
    const before = stateOf(gh.store);
    for (const header of ['Bearer not-a-real-token', 'Bearer ', 'Bearer a b', 'Basic YWxpY2U6Z2xhc3Nob3VzZQ==']) {
      const res = await send(e, header);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="glasshouse"/);
      problemOf(res);
    }
    const res = await send(e, 'Bearer not-a-real-token');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(stateOf(gh.store)).toBe(before);
  });

  it.each(ENDPOINTS)(
    'When $name is called with a revoked token, then 401 invalid_token and nothing changes',
    async (e) => {
      const before = stateOf(gh.store);
      const res = await send(e, `Bearer ${revoked}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(problemOf(res).type).toMatch(/invalid_token$/);
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it.each(ENDPOINTS)(
    'When $name is called without its scope, then 403 insufficient_scope names $scope and nothing changes',
    async (e) => {
      const before = stateOf(gh.store);
      const res = await send(e, `Bearer ${noScopeFor[e.scope]}`);
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBe(
        // The error in the challenge of the scheme used (RFC 9449 §7.1); the other one is offered plain.
        `Bearer realm="glasshouse", error="insufficient_scope", scope="${e.scope}", DPoP algs="ES256 Ed25519 EdDSA"`,
      );
      expect(problemOf(res)).toMatchObject({
        status: 403,
        scope: e.scope,
        type: expect.stringMatching(/insufficient_scope$/),
      });
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it.each(ENDPOINTS)(
    'When $name is called with a token of a client that was shut down, then 401 invalid_token',
    async (e) => {
      const token = await tokenFor(gh, 'grace', ALL_SCOPES, 'reelbox');
      await gh.platform.oauth.clients.setStatus('reelbox', 'shut_down');
      try {
        const res = await send(e, `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      } finally {
        await gh.platform.oauth.clients.setStatus('reelbox', 'active');
      }
    },
  );

  it('When a scope is withdrawn from a grant, then the token already issued gets 403 for it at once', async () => {
    const token = await tokenFor(gh, 'frank', ['profile', 'messages:read']);
    await request(gh.url).get('/api/v1/threads').set('Authorization', `Bearer ${token}`).expect(200);
    await gh.platform.tokens.narrowGrant((await gh.platform.tokens.verify(token)).grantId, ['profile']);
    const res = await request(gh.url).get('/api/v1/threads').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.scope).toBe('messages:read');
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('When a token is sent in the query string, then it is not accepted (RFC 6750 §2.3 is not supported)', async () => {
    const token = await tokenFor(gh, 'alice', ['profile']);
    await request(gh.url).get(`/api/v1/me?access_token=${token}`).expect(401);
    await request(gh.url).get('/api/v1/me').set('Authorization', `bearer ${token}`).expect(200);
  });

  it('When an unknown API path is called, then 404 problem details, not the web page', async () => {
    const res = await request(gh.url).get('/api/v1/nope').set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('messaging API with an expired token', () => {
  let gh: RunningPlatform;
  let expired: string;
  beforeAll(async () => {
    gh = await startPlatform({ CONTROLLABLE_CLOCK: 'true' });
    expired = await tokenFor(gh, 'alice');
    // Two hours pass on the platform clock: past the token's one-hour lifetime.
    await request(gh.url)
      .post('/admin/clock/advance')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ seconds: 7200 })
      .expect(200);
  });
  afterAll(async () => {
    await gh.close();
  });

  it.each(ENDPOINTS)(
    'When $name is called with an expired token, then 401 invalid_token and nothing changes',
    async (e) => {
      const before = stateOf(gh.store);
      let req = request(gh.url)[e.method](e.path).set('Authorization', `Bearer ${expired}`);
      if (e.body) req = req.send(e.body);
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it('When a token is sent in the query string, then the problem never echoes it back', async () => {
    const res = await request(gh.url).get('/api/v1/me?access_token=secret-token-in-query').expect(401);
    expect(JSON.stringify(res.body)).not.toContain('secret-token-in-query');
    expect(res.body.instance).toBe('/api/v1/me');
  });
});
