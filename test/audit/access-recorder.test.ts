import { beforeEach, describe, expect, it } from '@jest/globals';
import { queryAccessLog } from '../../server/src/audit/access-log-query.js';
import type { AccessEntry } from '../../server/src/store/schema.js';
import { openMessagingWorld, type MessagingWorld } from '../helpers/messaging-world.js';

const alice = { clientId: 'tunewave', personId: 'p_alice' };
const api = (clientId: string, ownerId: string) => ({
  clientId,
  ownerId,
  scope: 'messages:read',
  operation: 'GET /api/v1/threads/{threadId}/messages',
  channel: 'api' as const,
});

describe('access recorder', () => {
  let w: MessagingWorld;
  beforeEach(async () => {
    w = await openMessagingWorld();
  });

  it("When tunewave reads g_weekend with alice's token, then bob, carol and erin are logged as bystanders", async () => {
    await w.authorize('p_alice', 'tunewave');
    const { access } = w.service.messages(alice, 'g_weekend', { limit: 50 });
    const entry = await w.audit.record({ ...access, ...api('tunewave', 'p_alice') });
    expect([...entry.peopleIncluded].sort()).toEqual(['p_alice', 'p_bob', 'p_carol', 'p_erin']);
    expect([...entry.bystanders].sort()).toEqual(['p_bob', 'p_carol', 'p_erin']);
    expect(entry).toMatchObject({
      clientId: 'tunewave',
      ownerId: 'p_alice',
      action: 'read',
      threadIds: ['g_weekend'],
      policy: 'broad',
    });
    expect(w.store.accessLog()).toEqual([entry]);
  });

  it('When a person authorized the client once, even if since revoked, then they are not a bystander; another client does not count', async () => {
    await w.authorize('p_alice', 'tunewave');
    await w.authorize('p_bob', 'tunewave');
    await w.store.put('authorizations', {
      ...w.store.get('authorizations', 'p_bob~tunewave')!,
      scopes: [],
      revokedAt: 1,
    });
    await w.authorize('p_carol', 'reelbox');
    const { access } = w.service.messages(alice, 'g_weekend', { limit: 50 });
    const entry = await w.audit.record({ ...access, ...api('tunewave', 'p_alice') });
    expect([...entry.bystanders].sort()).toEqual(['p_carol', 'p_erin']);
  });

  it('When an access is recorded, then access.recorded is emitted with the stored entry and the current policy', async () => {
    await w.setPolicy('least-privilege');
    const seen: AccessEntry[] = [];
    w.events.on('access.recorded', ({ entry }) => seen.push(entry));
    const entry = await w.audit.record({
      action: 'read',
      threadIds: [],
      messageIds: [],
      peopleIncluded: ['p_alice', 'p_alice'],
      ...api('tunewave', 'p_alice'),
    });
    expect(seen).toEqual([entry]);
    expect(entry.peopleIncluded).toEqual(['p_alice']);
    expect(entry.policy).toBe('least-privilege');
  });

  it('When the log is queried with filters, then only matching entries come back, newest last', async () => {
    const rec = (clientId: string, ownerId: string, action: 'read' | 'write') =>
      w.audit.record({ action, threadIds: [], messageIds: [], peopleIncluded: [], ...api(clientId, ownerId) });
    const a = await rec('tunewave', 'p_alice', 'read');
    const b = await rec('reelbox', 'p_alice', 'write');
    const c = await rec('tunewave', 'p_bob', 'write');
    const d = await rec('tunewave', 'p_alice', 'write');
    const q = (f: object) => queryAccessLog(w.store, { limit: 1000, ...f }).map((e) => e.id);
    expect(q({})).toEqual([a, b, c, d].map((e) => e.id));
    expect(q({ clientId: 'tunewave' })).toEqual([a.id, c.id, d.id]);
    expect(q({ ownerId: 'p_alice', action: 'write' })).toEqual([b.id, d.id]);
    expect(q({ clientId: 'tunewave', ownerId: 'p_alice' })).toEqual([a.id, d.id]);
    expect(q({ since: c.at })).toEqual([c.id, d.id]);
    expect(q({ limit: 1 })).toEqual([d.id]);
  });
});
