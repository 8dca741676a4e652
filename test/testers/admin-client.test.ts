import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GlasshouseApiError } from '../../partners/sdk/index.js';
import { createAdminClient, createSandbox, type AdminClient, type Sandbox } from '../../server/testkit/index.js';

describe('the SDK admin client', () => {
  let gh: Sandbox;
  let admin: AdminClient;
  beforeAll(async () => {
    gh = await createSandbox();
    admin = gh.admin;
  });
  afterAll(async () => {
    await gh.close();
  });

  it('When tokens are minted, then they work on the API and alice shows as the one who authorized Tunewave', async () => {
    const tokens = await admin.mintToken({
      username: 'alice',
      clientId: 'tunewave',
      scopes: ['profile', 'messages:read'],
    });
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'profile messages:read' });
    expect(tokens.expires_in).toBeGreaterThan(0);
    const me = await fetch(`${gh.platformUrl}/api/v1/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    const [tunewave] = await admin.exposure({ clientId: 'tunewave' });
    expect(tunewave?.authorizedPeople.map((p) => p.username)).toEqual(['alice']);
    expect(tunewave?.scopes.used).toEqual(['profile']);
  });

  it('When Tunewave reads g_weekend for alice, then the access log and exposure name erin as a bystander', async () => {
    const alice = await gh.client('alice', 'tunewave');
    await alice.messages('g_weekend');
    const entries = await admin.accessLog({
      clientId: 'tunewave',
      ownerId: 'p_alice',
      personId: 'p_erin',
      action: 'read',
    });
    expect(entries.map((e) => e.operation)).toEqual(['GET /api/v1/threads/{threadId}/messages']);
    expect(entries[0]?.bystanders).toContain('p_erin');
    expect(await admin.accessLog({ clientId: 'tunewave', action: 'delete' })).toEqual([]);
    expect(await admin.accessLog({ limit: 1 })).toHaveLength(1);
    const [tunewave] = await admin.exposure({ clientId: 'tunewave' });
    expect(tunewave?.bystanders.map((p) => p.username)).toContain('erin');
    const erin = await admin.personExposure('erin');
    expect(erin).toMatchObject({
      username: 'erin',
      apps: [{ clientId: 'tunewave', authorized: false, onBehalfOf: [{ username: 'alice' }] }],
    });
  });

  it('When a now-playing message is sent, then threadMessages returns it with its card and client', async () => {
    const alice = await gh.client('alice', 'reelbox', ['messages:write']);
    await alice.sendToPerson('p_bob', { text: 'Watching', nowPlaying: { kind: 'film', title: 'Nosferatu' } });
    const last = (await admin.threadMessages('t_alice_bob')).at(-1);
    expect(last).toMatchObject({
      senderId: 'p_alice',
      text: 'Watching',
      via: 'reelbox',
      nowPlaying: { kind: 'film', title: 'Nosferatu' },
    });
  });

  it('When a grant is revoked, then its client gets 401 and a second revoke is 404', async () => {
    const carol = await gh.client('carol', 'tunewave', ['profile']);
    await admin.revokeGrant({ username: 'carol', clientId: 'tunewave' });
    await expect(carol.me()).rejects.toMatchObject({ status: 401 });
    await expect(admin.revokeGrant({ username: 'carol', clientId: 'tunewave' })).rejects.toMatchObject({ status: 404 });
  });

  it('When a client is shut down and brought back, then its tokens stop and clients() shows each status', async () => {
    const dave = await gh.client('dave', 'reelbox', ['profile']);
    expect(await admin.setClientStatus('reelbox', 'shut_down')).toMatchObject({ id: 'reelbox', status: 'shut_down' });
    await expect(dave.me()).rejects.toMatchObject({ status: 401 });
    await expect(admin.mintToken({ username: 'dave', clientId: 'reelbox', scopes: ['profile'] })).rejects.toMatchObject(
      { status: 403 },
    );
    expect((await admin.clients()).find((c) => c.id === 'reelbox')?.status).toBe('shut_down');
    await admin.setClientStatus('reelbox', 'active');
    expect((await admin.clients()).find((c) => c.id === 'reelbox')?.status).toBe('active');
  });

  it('When the policy is set, then the mode in force comes back and the store holds it', async () => {
    expect(await admin.setPolicy('least-privilege')).toBe('least-privilege');
    expect(gh.store.settings().policy).toBe('least-privilege');
    expect(await admin.setPolicy('broad')).toBe('broad');
  });

  it('When people are listed, then usernames map to ids', async () => {
    const people = await admin.people();
    expect(people.find((p) => p.username === 'erin')).toEqual({
      id: 'p_erin',
      username: 'erin',
      displayName: 'Erin Castillo',
    });
  });

  it.each([
    [
      'an unknown person',
      (a: AdminClient) => a.mintToken({ username: 'mallory', clientId: 'tunewave', scopes: ['profile'] }),
      404,
    ],
    ['an unknown client', (a: AdminClient) => a.exposure({ clientId: 'nope' }), 404],
    ['an unknown thread', (a: AdminClient) => a.threadMessages('nope'), 404],
    [
      'an unknown scope',
      (a: AdminClient) => a.mintToken({ username: 'alice', clientId: 'tunewave', scopes: ['everything'] }),
      400,
    ],
  ])(
    'When the admin client asks for %s, then it throws GlasshouseApiError with problem details',
    async (_case, call, status) => {
      const err = await call(admin).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GlasshouseApiError);
      expect(err).toMatchObject({ status, problem: { status } });
    },
  );

  it.each([
    ['reset', (a: AdminClient) => a.reset()],
    ['accessLog', (a: AdminClient) => a.accessLog()],
    ['setPolicy', (a: AdminClient) => a.setPolicy('broad')],
    ['people', (a: AdminClient) => a.people()],
  ])('When %s is called with a wrong admin token, then it throws 401 invalid_token', async (_name, call) => {
    const wrong = createAdminClient({ baseUrl: gh.platformUrl, adminToken: 'not-the-admin-token' });
    await expect(call(wrong)).rejects.toMatchObject({ name: 'GlasshouseApiError', status: 401, code: 'invalid_token' });
  });

  it('When the world is reset, then the counts are the seed and earlier tokens stop working', async () => {
    const alice = await gh.client('alice', 'tunewave');
    expect(await admin.reset()).toEqual({ people: 10, threads: 10, messages: 29 });
    await expect(alice.me()).rejects.toMatchObject({ status: 401 });
    expect(await admin.accessLog()).toEqual([]);
  });
});
