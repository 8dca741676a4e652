import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  connectPartnerSocket,
  createGlasshouseClient,
  GlasshouseApiError,
  GlasshouseTokenError,
  whenConnected,
  type GlasshouseClient,
  type PartnerSocket,
} from '../../partners/sdk/index.js';
import { threadNotices } from '../../server/src/audit/thread-notices.js';
import { controllableClock } from '../../server/src/clock/clock.js';
import { createSandbox, type Sandbox } from '../../server/testkit/index.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { startPlatform } from '../helpers/platform.js';

const SCOPES = ['profile', 'friends:read', 'messages:read', 'messages:write'];

/** Time on demand: a controllable clock and tokens that expire or are revoked when the tester says. */
describe('time and token expiry for testers', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  /** An SDK client for `username` at Tunewave that refreshes on 401, with the tokens it started from. */
  async function refreshingClient(username: string, expiresIn?: number) {
    const minted = await sandbox.admin.mintToken({
      username,
      clientId: 'tunewave',
      scopes: SCOPES,
      ...(expiresIn ? { expiresIn } : {}),
    });
    const refreshed: string[] = [];
    const client = createGlasshouseClient({
      baseUrl: sandbox.platformUrl,
      accessToken: minted.access_token,
      refreshToken: minted.refresh_token,
      clientId: 'tunewave',
      clientSecret: PARTNER_SECRETS.tunewave,
      onTokens: (t) => void refreshed.push(t.accessToken),
    });
    return { minted, client, refreshed };
  }
  const statusOf = (client: GlasshouseClient) =>
    client.me().then(
      () => 200,
      (err: unknown) => (err instanceof GlasshouseApiError ? err.status : err),
    );

  it("When the clock is advanced past a minted token's life, then housekeeping purges its stored record (expiry judged on the platform clock)", async () => {
    const { minted } = await refreshingClient('dave', 2);
    const stored = () => sandbox.store.get('oidc', `AccessToken:${minted.access_token}`);
    expect(stored()).toBeDefined();
    await sandbox.admin.advanceClock(5);
    expect((await sandbox.platform.housekeeping.runOnce()).purged).toBeGreaterThanOrEqual(1);
    expect(stored()).toBeUndefined();
  });

  it('When a token is minted with expiresIn 2, then the token response says 2 seconds and the refresh token still works after they pass', async () => {
    const { minted, client, refreshed } = await refreshingClient('alice', 2);
    expect(minted.expires_in).toBe(2);
    expect((await client.me()).username).toBe('alice');
    await sandbox.admin.advanceClock(3);
    expect((await client.me()).username).toBe('alice');
    expect(refreshed).toHaveLength(1);
    const plain = createGlasshouseClient({ baseUrl: sandbox.platformUrl, accessToken: minted.access_token });
    expect(await statusOf(plain)).toBe(401);
  });

  it('When expiresIn is out of range, then the admin API answers 400 naming it', async () => {
    const res = await request(sandbox.platformUrl)
      .post('/admin/tokens')
      .set('Authorization', `Bearer ${sandbox.adminToken}`)
      .send({ username: 'alice', clientId: 'tunewave', scopes: ['profile'], expiresIn: 0 })
      .expect(400);
    expect(res.body.errors[0].path).toBe('body.expiresIn');
  });

  it('When the clock is advanced by a fraction of a second, then 400 names seconds and the clock stays on whole milliseconds', async () => {
    const before = (await sandbox.admin.clock()).offsetMs;
    for (const seconds of [0.0001, 1.5]) {
      const res = await request(sandbox.platformUrl)
        .post('/admin/clock/advance')
        .set('Authorization', `Bearer ${sandbox.adminToken}`)
        .send({ seconds })
        .expect(400);
      expect(res.body.errors[0].path).toBe('body.seconds');
    }
    const after = await sandbox.admin.clock();
    expect(after.offsetMs).toBe(before);
    expect(Number.isInteger(after.now)).toBe(true);
    expect(() => controllableClock().advance(0.1)).toThrow(RangeError);
  });

  it('When the clock passes an hour, then the access token is refused with 401 and the SDK refreshes in seconds', async () => {
    const { minted, client, refreshed } = await refreshingClient('bob');
    await sandbox.admin.advanceClock(3601);
    expect((await client.me()).username).toBe('bob');
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]).not.toBe(minted.access_token);
  });

  it('When an admin expires one access token, then only it is refused, and the partner refreshes', async () => {
    const { minted, client, refreshed } = await refreshingClient('carol');
    const other = await sandbox.admin.mintToken({ username: 'dave', clientId: 'tunewave', scopes: SCOPES });
    expect(await sandbox.admin.expireTokens({ token: minted.access_token })).toBe(1);
    expect((await client.me()).username).toBe('carol');
    expect(refreshed).toHaveLength(1);
    expect(
      await statusOf(createGlasshouseClient({ baseUrl: sandbox.platformUrl, accessToken: other.access_token })),
    ).toBe(200);
  });

  it("When an admin expires a refresh token, then the partner's refresh is refused with invalid_grant", async () => {
    const { minted, client } = await refreshingClient('erin');
    await sandbox.admin.expireTokens({ token: minted.refresh_token! });
    await sandbox.admin.expireTokens({ token: minted.access_token });
    await expect(client.me()).rejects.toMatchObject({ name: GlasshouseTokenError.name, error: 'invalid_grant' });
  });

  it("When an admin revokes one access token, then it is 401 while the grant's other token still works", async () => {
    const first = await sandbox.admin.mintToken({ username: 'frank', clientId: 'reelbox', scopes: ['profile'] });
    const second = await sandbox.admin.mintToken({ username: 'frank', clientId: 'reelbox', scopes: ['profile'] });
    expect(await sandbox.admin.revokeTokens({ token: first.access_token })).toBe(1);
    expect(
      await statusOf(createGlasshouseClient({ baseUrl: sandbox.platformUrl, accessToken: first.access_token })),
    ).toBe(401);
    expect(
      await statusOf(createGlasshouseClient({ baseUrl: sandbox.platformUrl, accessToken: second.access_token })),
    ).toBe(200);
  });

  it("When an admin revokes a client's grants, then every token of it is refused and refreshes get invalid_grant", async () => {
    const { client } = await refreshingClient('grace');
    expect(await sandbox.admin.revokeTokens({ clientId: 'tunewave' })).toBeGreaterThanOrEqual(1);
    await expect(client.me()).rejects.toMatchObject({ name: GlasshouseTokenError.name, error: 'invalid_grant' });
    await expect(sandbox.admin.expireTokens({ token: 'not-a-token' })).rejects.toMatchObject({ status: 404 });
  });

  it('When an admin expires or revokes an unknown token, grant or client, then each answer is a 404 problem', async () => {
    for (const end of [sandbox.admin.expireTokens, sandbox.admin.revokeTokens]) {
      for (const target of [
        { token: 'not-a-token' },
        { grantId: 'not-a-grant' },
        { clientId: 'not-a-client' },
        { username: 'nobody', clientId: 'tunewave' },
      ]) {
        await expect(end.call(sandbox.admin, target)).rejects.toMatchObject({ status: 404 });
      }
    }
  });

  it("When the clock passes a connected socket's token expiry, then the platform closes the socket", async () => {
    const minted = await sandbox.admin.mintToken({
      username: 'heidi',
      clientId: 'reelbox',
      scopes: ['messages:read'],
      expiresIn: 60,
    });
    const socket: PartnerSocket = connectPartnerSocket({
      baseUrl: sandbox.platformUrl,
      token: minted.access_token,
      reconnection: false,
    });
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    await sandbox.admin.advanceClock(61);
    expect(await closed).toBe('io server disconnect');
  });

  it("When an admin expires a person's grant, then its partner socket closes and the monitor shows the admin's step", async () => {
    const minted = await sandbox.admin.mintToken({ username: 'ivan', clientId: 'tunewave', scopes: ['messages:read'] });
    const socket = connectPartnerSocket({
      baseUrl: sandbox.platformUrl,
      token: minted.access_token,
      reconnection: false,
    });
    await whenConnected(socket);
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    expect(await sandbox.admin.expireTokens({ username: 'ivan', clientId: 'tunewave' })).toBe(1);
    expect(await closed).toBe('io server disconnect');
    const log = await request(sandbox.platformUrl)
      .get('/monitor/log.json')
      .set('Authorization', `Bearer ${sandbox.adminToken}`)
      .expect(200);
    expect(log.body.events.at(-1)).toMatchObject({
      kind: 'admin',
      from: 'Admin',
      to: 'Glasshouse',
      label: '1 token expired · Tunewave',
    });
  });

  it('When a partner read a thread and three hours pass, then the notice says "3 hours ago"', async () => {
    const alice = await sandbox.client('alice', 'tunewave');
    await alice.messages('t_alice_bob');
    const clock = sandbox.platform.clock;
    expect(threadNotices(sandbox.store, 't_alice_bob', clock.now()).join(' ')).toContain('just now');
    await sandbox.admin.advanceClock(3 * 3600);
    expect(threadNotices(sandbox.store, 't_alice_bob', clock.now()).join(' ')).toContain('3 hours ago');
    const entries = await sandbox.admin.accessLog({ clientId: 'tunewave' });
    expect((await sandbox.admin.clock()).now - entries.at(-1)!.at).toBeGreaterThanOrEqual(3 * 3600_000);
  });

  it('When the world is reset, then the clock is back on the wall clock', async () => {
    await sandbox.admin.advanceClock(10);
    expect((await sandbox.admin.clock()).offsetMs).toBeGreaterThan(0);
    await sandbox.admin.reset();
    expect(await sandbox.admin.clock()).toMatchObject({ offsetMs: 0, controllable: true });
  });
});

describe('the clock of a platform started without CONTROLLABLE_CLOCK', () => {
  it('When a tester tries to advance it, then 409 says how to start it, and the rate-limit window follows a controllable one', async () => {
    const wall = await startPlatform();
    const limited = await startPlatform({
      CONTROLLABLE_CLOCK: 'true',
      API_RATE_LIMIT: '1',
      API_RATE_WINDOW_SECONDS: '60',
    });
    try {
      const refused = await request(wall.url)
        .post('/admin/clock/advance')
        .set('Authorization', `Bearer ${wall.config.ADMIN_TOKEN}`)
        .send({ seconds: 1 })
        .expect(409);
      expect(refused.body.detail).toContain('CONTROLLABLE_CLOCK=true');
      const token = (
        await limited.platform.tokens.issue({ personId: 'p_alice', clientId: 'tunewave', scopes: ['profile'] })
      ).access_token;
      const me = () => request(limited.url).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      await me().expect(200);
      expect((await me().expect(429)).headers['retry-after']).toBeDefined();
      await request(limited.url)
        .post('/admin/clock/advance')
        .set('Authorization', `Bearer ${limited.config.ADMIN_TOKEN}`)
        .send({ seconds: 60 })
        .expect(200);
      await me().expect(200);
    } finally {
      await wall.close();
      await limited.close();
    }
  });
});
