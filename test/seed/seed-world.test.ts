import { describe, expect, it } from '@jest/globals';
import { verifyPassword } from '../../server/src/social/passwords.js';
import { worldSchema } from '../../server/src/store/schema.js';
import { DEMO_PASSWORD, seedWorld } from '../../seed/world.js';

describe('the seeded world', () => {
  const world = seedWorld();
  const ids = (usernames: string[]) => usernames.map((u) => `p_${u}`).sort();

  it('When seeded twice, then the worlds are identical (same ids, same timestamps)', () => {
    expect(seedWorld()).toEqual(world);
    expect(JSON.stringify(seedWorld())).toBe(JSON.stringify(world));
  });

  it('When validated, then it matches the data file schema', () => {
    expect(worldSchema.safeParse(world).success).toBe(true);
  });

  it('When the facts of README "Seeded logins" are checked, then they hold', () => {
    const friends = (a: string, b: string) => world.friendships.some((f) => f.id === ids([a, b]).join('~'));
    expect(world.people.map((p) => p.username)).toEqual(
      expect.arrayContaining(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi']),
    );
    expect(friends('alice', 'bob')).toBe(true);
    expect(friends('alice', 'carol')).toBe(true);
    expect(friends('alice', 'frank')).toBe(false); // not everyone is friends with everyone
    const aliceBob = world.threads.find(
      (t) => t.kind === 'direct' && [...t.participantIds].sort().join() === ids(['alice', 'bob']).join(),
    );
    expect(aliceBob).toBeDefined();
    expect(aliceBob!.participantIds).not.toContain('p_carol');
    expect(world.messages.filter((m) => m.threadId === aliceBob!.id).length).toBeGreaterThan(1);
    const group = world.threads.find(
      (t) =>
        t.kind === 'group' && [...t.participantIds].sort().join() === ids(['alice', 'bob', 'carol', 'erin']).join(),
    );
    expect(group).toBeDefined();
    const senders = new Set(world.messages.filter((m) => m.threadId === group!.id).map((m) => m.senderId));
    expect([...senders].sort()).toEqual(ids(['alice', 'bob', 'carol', 'erin']));
    expect(world.threads.filter((t) => t.kind === 'group').length).toBeGreaterThanOrEqual(2);
    expect(world.clients.map((c) => c.id).sort()).toEqual(['reelbox', 'tunewave']);
  });

  it('When each seeded password hash is checked, then "glasshouse" verifies and another password does not', async () => {
    for (const person of world.people) {
      await expect(verifyPassword(DEMO_PASSWORD, person.passwordHash)).resolves.toBe(true);
    }
    await expect(verifyPassword('wrong', world.people[0]!.passwordHash)).resolves.toBe(false);
  });

  it.each([
    'scrypt$3$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==',
    'scrypt$16384$8$99999999$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==',
    'scrypt$16384$8$1$$',
    'scrypt',
    '',
  ])('When a stored hash is one scrypt cannot check (%s), then the check is false, never an error', async (hash) => {
    await expect(verifyPassword(DEMO_PASSWORD, hash)).resolves.toBe(false);
  });

  it('When the partners run elsewhere, then their redirect URIs follow', () => {
    const moved = seedWorld({ tunewaveUrl: 'http://127.0.0.1:5001' });
    expect(moved.clients.find((c) => c.id === 'tunewave')!.metadata['redirect_uris']).toEqual([
      'http://127.0.0.1:5001/auth/callback',
    ]);
  });
});
