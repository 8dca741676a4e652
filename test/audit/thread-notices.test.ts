import { describe, expect, it } from '@jest/globals';
import { ago } from '../../server/src/audit/thread-notices.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

describe('bystander notices on a thread', () => {
  const gh = usePlatform();

  it('When Tunewave read the group thread with Alice\'s token, then Erin, who never used it, is told on that thread', async () => {
    const at = Date.now() - 3 * 60_000;
    await gh.store.put('accessLog', {
      id: 'a_test', at, clientId: 'tunewave', ownerId: 'p_alice', action: 'read', scope: 'messages:read',
      operation: 'GET /api/v1/threads/{threadId}/messages', channel: 'api', threadIds: ['g_weekend'],
      messageIds: ['m_0020'], peopleIncluded: ['p_alice', 'p_erin'], bystanders: ['p_erin'], policy: 'broad',
    });
    const erin = await loggedInAgent(gh.url, 'erin');
    const page = await erin.get('/threads/g_weekend').expect(200);
    expect(page.text).toContain('Tunewave, authorized by Alice Moreau, read this conversation 3 minutes ago.');
    const other = await erin.get('/threads/t_dave_erin').expect(200);
    expect(other.text).not.toContain('Tunewave, authorized by');
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
