import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import autocannon from 'autocannon';
import { allPages, createGlasshouseClient } from '../../partners/sdk/index.js';
import { SocketCrowd } from '../bench/sockets.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { tokenFor } from '../helpers/api.js';

const TEXT = 'load-correctness';

/**
 * The short variant of `npm run bench`'s load (a few hundred requests, a few seconds): correctness only, never
 * timing — every message stored once, delivered once to every socket, no 5xx.
 */
describe('under load', () => {
  let gh: RunningPlatform;
  const crowd = new SocketCrowd();
  beforeAll(async () => {
    gh = await startPlatform({ API_RATE_LIMIT: '1000000' });
  });
  afterAll(async () => {
    crowd.close();
    await gh.close();
  });

  it('When posts and page reads hammer one thread with sockets connected, then every message is stored once, listed once, delivered once to each socket, and nothing answers 5xx', async () => {
    const alice = await tokenFor(gh, 'alice');
    const readers = await Promise.all([1, 2, 3].map(() => tokenFor(gh, 'bob', ['messages:read'], 'reelbox')));
    await crowd.connect(gh.url, readers, 20, 10);
    const auth = { authorization: `Bearer ${alice}` };
    const [posts, reads] = await Promise.all([
      autocannon({
        url: `${gh.url}/api/v1/threads/g_weekend/messages`,
        method: 'POST',
        connections: 10,
        amount: 120,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ text: TEXT }),
      }),
      autocannon({
        url: `${gh.url}/api/v1/threads/g_weekend/messages?limit=20`,
        headers: auth,
        connections: 10,
        amount: 120,
      }),
    ]);
    expect([posts['2xx'], posts.non2xx, posts.errors, reads['2xx'], reads.non2xx, reads.errors]).toEqual([
      120, 0, 0, 120, 0, 0,
    ]);

    const client = createGlasshouseClient({ baseUrl: gh.url, accessToken: alice });
    const listed = (await allPages((page) => client.messages('g_weekend', page), 100))
      .filter((m) => m.text === TEXT)
      .map((m) => m.id);
    expect(listed).toHaveLength(120);
    expect(new Set(listed).size).toBe(120);
    await Promise.all(listed.map((id) => crowd.waitFor(id, 20)));
    expect(listed.map((id) => crowd.received.get(id)?.count)).toEqual(listed.map(() => 20));
    expect(crowd.duplicates).toEqual([]);
    expect(gh.store.accessLog().filter((e) => e.operation === 'POST /api/v1/threads/{threadId}/messages')).toHaveLength(
      120,
    );
  });
});
