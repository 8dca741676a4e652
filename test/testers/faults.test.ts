import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  connectPartnerSocket,
  createGlasshouseClient,
  GlasshouseApiError,
  GlasshouseTokenError,
  whenConnected,
} from '../../partners/sdk/index.js';
import { createSandbox, type Sandbox } from '../../server/testkit/index.js';
import { PARTNER_SECRETS } from '../../seed/world.js';

const SCOPES = ['profile', 'messages:read'];

/** Faults a tester injects (WireMock-style) against the SDK's retry, refresh and socket handling. */
describe('injected faults', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  async function client(
    username: string,
    clientId = 'tunewave',
    retry?: { maxRetries?: number; maxWaitSeconds?: number },
  ) {
    const minted = await sandbox.admin.mintToken({ username, clientId, scopes: SCOPES });
    const secret = PARTNER_SECRETS[clientId as 'tunewave' | 'reelbox'];
    return {
      minted,
      sdk: createGlasshouseClient({
        baseUrl: sandbox.platformUrl,
        accessToken: minted.access_token,
        refreshToken: minted.refresh_token,
        clientId,
        clientSecret: secret,
        retry,
      }),
    };
  }
  const injectedEntries = async (clientId: string) =>
    (await sandbox.admin.accessLog({ clientId })).filter((e) => e.injected !== undefined);

  it('When the next two calls answer 503 with Retry-After 0, then the SDK retries and succeeds, and both are logged as injected', async () => {
    await sandbox.admin.reset();
    const { sdk } = await client('alice');
    await sandbox.admin.injectFault({ clientId: 'tunewave', kind: 'status', status: 503, retryAfter: 0, times: 2 });
    expect((await sdk.me()).username).toBe('alice');
    const injected = await injectedEntries('tunewave');
    expect(injected.map((e) => [e.injected, e.operation, e.peopleIncluded])).toEqual([
      ['status 503', 'GET /api/v1/me', []],
      ['status 503', 'GET /api/v1/me', []],
    ]);
    expect(await sandbox.admin.faults()).toEqual([]);
    const log = await request(sandbox.platformUrl)
      .get('/monitor/log.json')
      .set('Authorization', `Bearer ${sandbox.adminToken}`)
      .expect(200);
    const faults = (log.body.events as { kind: string; label: string }[]).filter((e) => e.kind === 'fault');
    expect(faults.map((e) => e.label)).toEqual([
      'injected fault · status 503 · api',
      'injected fault · status 503 · api',
    ]);
  });

  it('When a 429 asks to wait longer than the SDK will, then the SDK gives up at once with the 429', async () => {
    const { sdk } = await client('bob', 'tunewave', { maxWaitSeconds: 5 });
    await sandbox.admin.injectFault({ clientId: 'tunewave', kind: 'status', status: 429, retryAfter: 120, times: 1 });
    const err = await sdk.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseApiError);
    expect(err).toMatchObject({ status: 429, code: 'injected_fault' });
    expect((await sdk.me()).username).toBe('bob');
  });

  it('When one token gets 500 for 30 seconds, then only that token fails, and not after the clock passes them', async () => {
    const one = await client('carol');
    const other = await client('dave');
    await sandbox.admin.injectFault({ token: one.minted.access_token, kind: 'status', status: 500, seconds: 30 });
    await expect(one.sdk.me()).rejects.toMatchObject({ status: 500 });
    await expect(one.sdk.me()).rejects.toMatchObject({ status: 500 });
    expect((await other.sdk.me()).username).toBe('dave');
    await sandbox.admin.advanceClock(31);
    expect((await one.sdk.me()).username).toBe('carol');
  });

  it('When a fault names a token or client the platform never issued, then it is a 404 problem and no fault is added', async () => {
    await sandbox.admin.clearFaults();
    await expect(sandbox.admin.injectFault({ token: 'not-a-token', kind: 'refuse-refresh' })).rejects.toMatchObject({
      status: 404,
    });
    await expect(sandbox.admin.injectFault({ clientId: 'not-a-client', kind: 'refuse-refresh' })).rejects.toMatchObject(
      { status: 404 },
    );
    expect(await sandbox.admin.faults()).toEqual([]);
  });

  it('When latency is injected, then the call still succeeds and its access-log entry says so', async () => {
    await sandbox.admin.reset();
    const { sdk } = await client('erin', 'reelbox');
    await sandbox.admin.injectFault({ clientId: 'reelbox', kind: 'latency', latencyMs: 20, times: 1 });
    expect((await sdk.me()).username).toBe('erin');
    expect((await injectedEntries('reelbox')).map((e) => e.injected)).toEqual(['latency 20 ms']);
  });

  it.each([
    ['the grant is revoked', '/admin/grants/revoke', { username: 'erin', clientId: 'reelbox' }],
    ['the world is reset', '/admin/reset', undefined],
  ])(
    'When %s while a read waits out an injected latency, then the read answers 401 and reads nothing',
    async (_what, path, body) => {
      await sandbox.admin.reset();
      const { minted } = await client('erin', 'reelbox');
      await sandbox.admin.injectFault({ clientId: 'reelbox', kind: 'latency', latencyMs: 300, times: 1 });
      const read = request(sandbox.platformUrl)
        .get('/api/v1/threads/g_weekend/messages?limit=2')
        .set('Authorization', `Bearer ${minted.access_token}`)
        .then((r) => r);
      while ((await sandbox.admin.faults()).length > 0) await new Promise((r) => setTimeout(r, 10)); // taken: waiting
      const admin = request(sandbox.platformUrl).post(path).set('Authorization', `Bearer ${sandbox.adminToken}`);
      await (body ? admin.send(body) : admin).expect((r) => expect(r.status).toBeLessThan(300));
      const res = await read;
      expect([res.status, res.headers['www-authenticate']]).toEqual([
        401,
        expect.stringContaining('error="invalid_token"'),
      ]);
      const reads = (await sandbox.admin.accessLog({ clientId: 'reelbox' })).filter((e) => e.action === 'read');
      expect(reads).toEqual([]);
    },
  );

  it("When a client's sockets are dropped for one handshake, then the socket closes, one reconnection is refused, the next one connects", async () => {
    const { minted } = await client('frank', 'reelbox');
    const connect = () =>
      connectPartnerSocket({ baseUrl: sandbox.platformUrl, token: minted.access_token, reconnection: false });
    const socket = connect();
    await whenConnected(socket);
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    await sandbox.admin.injectFault({ clientId: 'reelbox', kind: 'drop-sockets', times: 1 });
    expect(await closed).toBe('io server disconnect');
    const refused = connect();
    await expect(whenConnected(refused)).rejects.toThrow('injected_fault');
    refused.disconnect();
    const again = connect();
    await whenConnected(again);
    again.disconnect();
    const logged = (await injectedEntries('reelbox')).filter((e) => e.channel === 'socket');
    expect(logged.map((e) => [e.operation, e.injected, e.ownerId])).toEqual([
      ['socket disconnect', 'drop-sockets', 'p_frank'],
      ['socket handshake', 'drop-sockets', 'p_frank'],
    ]);
  });

  it('When a refresh is refused once, then the SDK reports invalid_grant, and the untouched refresh token works next time', async () => {
    const { sdk, minted } = await client('grace');
    await sandbox.admin.expireTokens({ token: minted.access_token });
    await sandbox.admin.injectFault({ clientId: 'tunewave', kind: 'refuse-refresh', times: 1 });
    await expect(sdk.me()).rejects.toMatchObject({ name: GlasshouseTokenError.name, error: 'invalid_grant' });
    expect((await sdk.me()).username).toBe('grace');
    const refused = (await injectedEntries('tunewave')).filter((e) => e.injected === 'refuse-refresh');
    expect(refused.map((e) => [e.operation, e.ownerId, e.peopleIncluded])).toEqual([
      ['POST /token (refresh_token grant)', 'p_grace', []],
    ]);
  });

  it('When the world is reset, then every fault is gone', async () => {
    await sandbox.admin.injectFault({ clientId: 'tunewave', kind: 'status', status: 503 });
    expect(await sandbox.admin.faults()).toHaveLength(1);
    await sandbox.admin.reset();
    expect(await sandbox.admin.faults()).toEqual([]);
  });

  it.each([
    ['a status fault without its status', { clientId: 'tunewave', kind: 'status' }, 400],
    ['a fault for nobody', { kind: 'latency', latencyMs: 5 }, 400],
    ['a fault for an unknown client', { clientId: 'nope', kind: 'drop-sockets' }, 404],
  ])('When an admin asks for %s, then it is refused', async (_name, body, status) => {
    await request(sandbox.platformUrl)
      .post('/admin/faults')
      .set('Authorization', `Bearer ${sandbox.adminToken}`)
      .send(body)
      .expect(status);
  });
});
