import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { AccessEntry } from '../../server/src/store/schema.js';
import { usePlatform } from '../helpers/platform.js';
import { tokenFor } from '../helpers/api.js';

describe('the access log of API calls', () => {
  const gh = usePlatform();
  const lastEntry = () => gh.store.accessLog().at(-1)!;

  it("When tunewave reads g_weekend with alice's token, then bob, carol and erin are logged as bystanders", async () => {
    const token = await tokenFor(gh, 'alice', ['messages:read']);
    const recorded: AccessEntry[] = [];
    const off = gh.platform.events.on('access.recorded', ({ entry }) => recorded.push(entry));
    const res = await request(gh.url)
      .get('/api/v1/threads/g_weekend/messages')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    off();
    expect(recorded).toEqual([lastEntry()]);
    expect(lastEntry()).toMatchObject({
      clientId: 'tunewave',
      ownerId: 'p_alice',
      action: 'read',
      scope: 'messages:read',
      channel: 'api',
      policy: 'broad',
      operation: 'GET /api/v1/threads/{threadId}/messages',
      threadIds: ['g_weekend'],
      messageIds: res.body.items.map((m: { id: string }) => m.id),
    });
    expect([...lastEntry().peopleIncluded].sort()).toEqual(['p_alice', 'p_bob', 'p_carol', 'p_erin']);
    expect([...lastEntry().bystanders].sort()).toEqual(['p_bob', 'p_carol', 'p_erin']);
  });

  it('When bob has authorized tunewave too, then he is no longer a bystander of the same read', async () => {
    await tokenFor(gh, 'bob', ['profile']);
    const token = await tokenFor(gh, 'alice', ['messages:read']);
    await request(gh.url).get('/api/v1/threads/g_weekend/messages').set('Authorization', `Bearer ${token}`).expect(200);
    expect([...lastEntry().bystanders].sort()).toEqual(['p_carol', 'p_erin']);
  });

  it('When participants, friends and /me are read, then each logs exactly the people in its response', async () => {
    const token = await tokenFor(gh, 'alice');
    const auth = { Authorization: `Bearer ${token}` };
    await request(gh.url).get('/api/v1/threads/g_family/participants').set(auth).expect(200);
    expect([...lastEntry().peopleIncluded].sort()).toEqual(['p_alice', 'p_heidi', 'p_ivan']);
    expect([...lastEntry().bystanders].sort()).toEqual(['p_heidi', 'p_ivan']);
    await request(gh.url).get('/api/v1/me/friends').set(auth).expect(200);
    expect([...lastEntry().peopleIncluded].sort()).toEqual(['p_bob', 'p_carol', 'p_erin', 'p_heidi', 'p_ivan']);
    await request(gh.url).get('/api/v1/me').set(auth).expect(200);
    expect(lastEntry()).toMatchObject({ peopleIncluded: ['p_alice'], bystanders: [] });
  });

  it('When a partner writes and deletes, then write and delete entries name the message and its author', async () => {
    const token = await tokenFor(gh, 'alice');
    const auth = { Authorization: `Bearer ${token}` };
    const sent = await request(gh.url)
      .post('/api/v1/threads/g_weekend/messages')
      .set(auth)
      .send({ text: 'Playing' })
      .expect(201);
    expect(lastEntry()).toMatchObject({
      action: 'write',
      scope: 'messages:write',
      messageIds: [sent.body.id],
      peopleIncluded: ['p_alice'],
    });
    await request(gh.url).delete('/api/v1/messages/m_0019').set(auth).expect(204);
    expect(lastEntry()).toMatchObject({
      action: 'delete',
      scope: 'messages:delete',
      messageIds: ['m_0019'],
      peopleIncluded: ['p_erin'],
      bystanders: ['p_erin'],
    });
  });
});
