import { describe, expect, it } from '@jest/globals';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent, sessionCount, sessionsAfter } from '../helpers/web-session.js';

describe('platform web sessions in memory: a bound', () => {
  const gh = usePlatform({ SESSIONS_MAX: '3' });

  it('When five people log in (SESSIONS_MAX=3), then three sessions are kept and the oldest logins are dropped', async () => {
    const agents = [];
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) agents.push(await loggedInAgent(gh.url, name));
    expect(await sessionCount(gh.platform.sessions)).toBe(3);
    await agents[0]!.get('/').expect(303); // dropped: back to the login page
    await agents[4]!.get('/').expect(200);
  });
});

describe('platform web sessions in memory: expiry', () => {
  const gh = usePlatform({ SESSION_MAX_AGE_SECONDS: '1' });

  it('When sessions expire and nobody asks for them again, then they are dropped anyway', async () => {
    for (const name of ['alice', 'bob']) await loggedInAgent(gh.url, name);
    // express-session's own MemoryStore dropped an expired session only when its cookie came back.
    expect(await sessionsAfter(gh.platform.sessions, 4000)).toBe(0);
  });
});
