import { describe, expect, it } from '@jest/globals';
import { ago } from '../../server/src/audit/thread-notices.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

describe('bystander notices on a thread', () => {
  const gh = usePlatform();

  it("When Tunewave read the group thread with Alice's token, then Erin, who never used it, is told on that thread", async () => {
    const at = Date.now() - 3 * 60_000;
    await gh.store.put('accessLog', {
      id: 'a_test',
      at,
      clientId: 'tunewave',
      ownerId: 'p_alice',
      action: 'read',
      scope: 'messages:read',
      operation: 'GET /api/v1/threads/{threadId}/messages',
      channel: 'api',
      threadIds: ['g_weekend'],
      messageIds: ['m_0020'],
      peopleIncluded: ['p_alice', 'p_erin'],
      bystanders: ['p_erin'],
      policy: 'broad',
    });
    const erin = await loggedInAgent(gh.url, 'erin');
    const page = await erin.get('/threads/g_weekend').expect(200);
    expect(page.text).toContain('Tunewave, authorized by Alice Moreau, read this conversation 3 minutes ago.');
    const other = await erin.get('/threads/t_dave_erin').expect(200);
    expect(other.text).not.toContain('Tunewave, authorized by');
  });

  it('When one visit on the partner lists threads, reads the messages and lists the participants, then the notice says "read" once, and "looked up" apart', async () => {
    const at = Date.now() - 60_000;
    const base = {
      at,
      clientId: 'reelbox',
      ownerId: 'p_bob',
      scope: 'messages:read',
      channel: 'api' as const,
      peopleIncluded: [],
      bystanders: [],
      policy: 'broad' as const,
    };
    await gh.store.put('accessLog', {
      ...base,
      id: 'v_1',
      action: 'read',
      operation: 'GET /api/v1/threads',
      threadIds: ['g_weekend', 't_alice_bob'],
      messageIds: [],
    });
    await gh.store.put('accessLog', {
      ...base,
      id: 'v_2',
      action: 'read',
      operation: 'GET /api/v1/threads/{threadId}/messages',
      threadIds: ['g_weekend'],
      messageIds: ['m_0020'],
    });
    await gh.store.put('accessLog', {
      ...base,
      id: 'v_3',
      action: 'read',
      scope: 'threads:participants',
      operation: 'GET /api/v1/threads/{threadId}/participants',
      threadIds: ['g_weekend'],
      messageIds: [],
    });
    await gh.store.put('accessLog', {
      ...base,
      id: 'v_4',
      action: 'read',
      operation: 'GET /api/v1/threads',
      threadIds: ['g_weekend'],
      messageIds: [],
    });
    const erin = await loggedInAgent(gh.url, 'erin');
    const page = await erin.get('/threads/g_weekend').expect(200);
    expect(page.text).toContain('Reelbox, authorized by Bob Okafor, read this conversation 1 minute ago.');
    expect(page.text).toContain(
      'Reelbox, authorized by Bob Okafor, looked up this conversation and who is on it 1 minute ago (3 times).',
    );
    expect(page.text).not.toMatch(/Reelbox, authorized by Bob Okafor, read this conversation[^<]*times/);
  });

  it.each([
    [0, 'just now'],
    [-120_000, '2 minutes ago'],
    [-3 * 3_600_000, '3 hours ago'],
    [-86_400_000, 'yesterday'],
  ])('When the access was %i ms ago, then it reads "%s"', (delta, text) => {
    expect(ago(1_000_000_000 + delta, 1_000_000_000)).toBe(text);
  });
});
