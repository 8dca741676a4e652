import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { MAX_EPOCH_MS } from '../../server/src/store/schema.js';
import { tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';

describe('a stored message dated at the last time a date can hold', () => {
  const gh = usePlatform();

  it('When a message is posted after it, then the answer is a 409 problem (no 500), and nothing is stored', async () => {
    await gh.store.put('messages', {
      id: 'm_last',
      threadId: 'g_weekend',
      senderId: 'p_bob',
      text: 'from the end of time',
      createdAt: MAX_EPOCH_MS,
    });
    const before = gh.store.all('messages').length;
    const token = await tokenFor(gh, 'alice', ['messages:write']);
    const res = await request(gh.url)
      .post('/api/v1/threads/t_alice_bob/messages')
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'hi' });
    expect([res.status, res.type, res.body.type]).toEqual([
      409,
      'application/problem+json',
      expect.stringMatching(/conflict$/),
    ]);
    expect(gh.store.all('messages')).toHaveLength(before);
  });
});
