import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GlasshouseApiError, GlasshouseUnreachableError } from '../../partners/sdk/index.js';
import { createSandbox, type Sandbox } from '../../server/testkit/index.js';
import { seedWorld } from '../../seed/world.js';
import type { World } from '../../server/src/store/schema.js';

const texts = async (sandbox: Sandbox, threadId: string) =>
  (await sandbox.admin.threadMessages(threadId)).map((m) => m.text);

describe('createSandbox', () => {
  const open: Sandbox[] = [];
  const sandbox = async (...args: Parameters<typeof createSandbox>) => {
    const created = await createSandbox(...args);
    open.push(created);
    return created;
  };
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
  });

  it('When a sandbox is created, then its platform answers on 127.0.0.1 and client() gives alice every scope', async () => {
    const gh = await sandbox();
    expect(gh.platformUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gh.partnerUrls).toEqual({});
    const alice = await gh.client('alice', 'tunewave');
    expect((await alice.me()).username).toBe('alice');
    expect((await alice.friends()).items.map((p) => p.username)).toContain('bob');
    expect((await alice.participants('g_weekend')).items.map((p) => p.username)).toContain('erin');
    expect((await gh.admin.exposure({ clientId: 'tunewave' }))[0]?.scopes.granted).toHaveLength(6);
  });

  it('When client() asks for fewer scopes, then the others are refused with 403 insufficient_scope', async () => {
    const gh = await sandbox();
    const bob = await gh.client('bob', 'reelbox', ['profile']);
    expect((await bob.me()).username).toBe('bob');
    const refused = await bob.threads().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(GlasshouseApiError);
    expect(refused).toMatchObject({ status: 403, code: 'insufficient_scope', requiredScope: 'messages:read' });
  });

  it('When two sandboxes run in one process, then a message or a policy switch in one is not seen in the other', async () => {
    const [one, two] = [await sandbox(), await sandbox()];
    expect(one.platformUrl).not.toBe(two.platformUrl);
    await (await one.client('alice', 'tunewave')).sendToPerson('p_bob', { text: 'only in sandbox one' });
    await one.admin.setPolicy('least-privilege');
    expect(await texts(one, 't_alice_bob')).toContain('only in sandbox one');
    expect(await texts(two, 't_alice_bob')).not.toContain('only in sandbox one');
    expect(one.store.settings().policy).toBe('least-privilege');
    expect(two.store.settings().policy).toBe('broad');
    const inTwo = await two.client('alice', 'tunewave');
    expect((await inTwo.messages('g_weekend')).items.length).toBeGreaterThan(0);
    const inOne = await one.client('alice', 'tunewave');
    await expect(inOne.messages('g_weekend')).rejects.toMatchObject({ status: 404 });
  });

  it('When a sandbox is given a world and a policy, then it serves them and a reset goes back to both', async () => {
    const world = seedWorld();
    world.messages.push({
      id: 'm_custom',
      threadId: 't_alice_bob',
      senderId: 'p_bob',
      text: 'from a custom world',
      createdAt: 1,
    });
    const gh = await sandbox({ world, policy: 'least-privilege' });
    await gh.admin.setPolicy('broad');
    await (await gh.client('alice', 'tunewave')).sendToPerson('p_bob', { text: 'gone after reset' });
    expect(await gh.admin.reset()).toEqual({ people: 10, threads: 10, messages: world.messages.length });
    expect(await texts(gh, 't_alice_bob')).toContain('from a custom world');
    expect(await texts(gh, 't_alice_bob')).not.toContain('gone after reset');
    expect(gh.store.settings().policy).toBe('least-privilege');
    expect(world.settings[0]?.policy).toBe('broad');
  });

  it.each([
    ['a message created at 1.5 ms', (w: World) => (w.messages[0] = { ...w.messages[0]!, createdAt: 1.5 })],
    ['a message text holding NUL', (w: World) => (w.messages[0] = { ...w.messages[0]!, text: 'a\u0000b' })],
    ['a duplicate person id', (w: World) => w.people.push(w.people[0]!)],
    ['a message from someone unknown', (w: World) => (w.messages[0] = { ...w.messages[0]!, senderId: 'p_ghost' })],
    [
      'a client whose metadata the authorization server refuses',
      (w: World) =>
        (w.clients = w.clients.map((c) =>
          c.id === 'reelbox' ? { ...c, metadata: { ...c.metadata, grant_types: 5 } } : c,
        )),
    ],
  ])(
    'When a sandbox is given a world with %s, then it is refused in one line as a data file would be',
    async (_what, spoil) => {
      const world = seedWorld();
      spoil(world);
      const refused = await createSandbox({ world }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toMatch(/^the starting world: not a Glasshouse data file \(/);
      expect((refused as Error).message.split('\n')).toHaveLength(1);
    },
  );

  it('When a world holds a client registered with a sector_identifier_uri, then the start does not fetch it again (no other host is needed to start)', async () => {
    const world = seedWorld();
    world.clients = world.clients.map((c) =>
      c.id === 'reelbox'
        ? { ...c, metadata: { ...c.metadata, sector_identifier_uri: 'https://sector.invalid/uris.json' } }
        : c,
    );
    const sandbox = await createSandbox({ world });
    await sandbox.close();
  });

  it('When a sandbox is given a world written before a collection existed (no deletedMessages, no accessTotals), then it starts with them empty', async () => {
    const { deletedMessages: _deleted, accessTotals: _totals, ...older } = seedWorld();
    const gh = await sandbox({ world: older as World });
    expect(gh.store.all('deletedMessages')).toEqual([]);
    expect(gh.store.all('accessTotals')).toEqual([]);
    expect(await texts(gh, 't_alice_bob')).toContain('Are we still on for Thursday?');
  });

  it('When an admin token is given, then the admin API takes it and refuses another', async () => {
    const gh = await sandbox({ adminToken: 'my-own-admin-token-1234' });
    expect(gh.adminToken).toBe('my-own-admin-token-1234');
    expect((await gh.admin.clients()).map((c) => c.id).sort()).toEqual(['reelbox', 'tunewave']);
    const res = await fetch(`${gh.platformUrl}/admin/clients`, {
      headers: { authorization: 'Bearer glasshouse-admin-demo-token' },
    });
    expect(res.status).toBe(401);
  });

  it('When a sandbox is given a world without its collections, then it is refused in one line naming them', async () => {
    const refused = await createSandbox({ world: { format: 'glasshouse/1' } as unknown as World }).catch(
      (e: unknown) => e,
    );
    expect((refused as Error).message).toMatch(/^the starting world: not a Glasshouse data file \(people: /);
  });

  it.each(['', 'short'])(
    'When the admin token given is too short (%j), then createSandbox is refused and leaves nothing listening',
    async (adminToken) => {
      const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
      const before = servers();
      await expect(createSandbox({ adminToken })).rejects.toThrow('at least 16 characters');
      expect(servers()).toBe(before);
    },
  );

  it('When a sandbox is closed, then its port stops answering and closing again is harmless', async () => {
    const gh = await createSandbox();
    await gh.close();
    await gh.close();
    await expect(gh.admin.people()).rejects.toBeInstanceOf(GlasshouseUnreachableError);
  });
});

describe('createSandbox with partners', () => {
  let gh: Sandbox;
  beforeAll(async () => {
    gh = await createSandbox({ partners: true });
  });
  afterAll(async () => {
    await gh.close();
  });

  it.each(['tunewave', 'reelbox'] as const)(
    'When %s is started with the sandbox, then it answers and the platform accepts its login request',
    async (id) => {
      const url = gh.partnerUrls[id]!;
      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ ok: true });
      expect(gh.store.client(id)?.metadata['redirect_uris']).toEqual([`${url}/auth/callback`]);
      const start = await fetch(`${url}/auth/login`, { redirect: 'manual' });
      const authorize = new URL(start.headers.get('location')!);
      expect(authorize.origin).toBe(gh.platformUrl);
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${url}/auth/callback`);
      const answer = await fetch(authorize, { redirect: 'manual' });
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toMatch(/\/interaction\//);
    },
  );
});
