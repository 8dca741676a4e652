import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createGlasshouseClient } from '../../partners/sdk/index.js';
import { tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';
import { expireAccessTokens } from '../partners/helpers/glasshouse.js';
import { PARTNER_SECRETS } from '../../seed/world.js';

describe("Idempotency-Key on the messaging API's POSTs", () => {
  const gh = usePlatform();
  let token: string;
  const count = (threadId: string) => gh.store.messageIdsIn(threadId).length;
  const post = (path: string, body: object, key?: string, bearer = token) => {
    const req = request(gh.url).post(path).set('Authorization', `Bearer ${bearer}`);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body);
  };

  beforeAll(async () => {
    token = await tokenFor(gh, 'alice');
  });

  it.each([
    ['POST /threads/{threadId}/messages', '/api/v1/threads/t_alice_bob/messages', { text: 'once only' }],
    ['POST /me/messages', '/api/v1/me/messages', { to: 'p_bob', text: 'once only, direct' }],
  ])(
    'When %s is sent twice with Idempotency-Key u1, then one message is stored and both answers are the first response',
    async (_name, path, body) => {
      const before = count('t_alice_bob');
      const key = `u1-${path}`;
      const first = await post(path, body, key).expect(201);
      const second = await post(path, body, key).expect(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(count('t_alice_bob')).toBe(before + 1);
    },
  );

  it('When the key is a structured-field string with parameters, a token, or a bare UUID, then each is its key; "k";p=1 is the key k', async () => {
    const path = '/api/v1/threads/t_alice_bob/messages';
    const first = await post(path, { text: 'params ignored' }, '"sf-key"').expect(201);
    const again = await post(path, { text: 'params ignored' }, '"sf-key";p=1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const token = await post(path, { text: 'a token' }, 'tok-key').expect(201);
    expect((await post(path, { text: 'a token' }, '"tok-key"').expect(201)).body).toEqual(token.body);
    await post(path, { text: 'a uuid' }, '8e03978e-40d5-43e8-bc93-6894a57f9324').expect(201);
  });

  it.each(['?1', ':Zm9v:', '42', '1234567890123456789', '(a)', '(a);x', 'a,b', '"two words"'])(
    'When the key is %s (a structured field of another type, or not visible ASCII), then 400 and nothing is stored',
    async (key) => {
      const before = count('t_alice_bob');
      const res = await post('/api/v1/threads/t_alice_bob/messages', { text: 'typed key' }, key).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toContain('Idempotency-Key');
      expect(count('t_alice_bob')).toBe(before);
    },
  );

  it('When the same key comes with another body, then the answer is 422 problem details and nothing is stored', async () => {
    await post('/api/v1/threads/t_alice_bob/messages', { text: 'first' }, 'u2').expect(201);
    const before = count('t_alice_bob');
    const res = await post('/api/v1/threads/t_alice_bob/messages', { text: 'something else' }, 'u2').expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, type: expect.stringMatching(/idempotency_key_reused$/) });
    expect(count('t_alice_bob')).toBe(before);
  });

  it('When another client or resource owner uses the same key, then it is a different request', async () => {
    const before = count('t_alice_bob');
    await post('/api/v1/threads/t_alice_bob/messages', { text: 'shared key' }, 'u3').expect(201);
    await post('/api/v1/threads/t_alice_bob/messages', { text: 'shared key' }, 'u3', await tokenFor(gh, 'bob')).expect(
      201,
    );
    expect(count('t_alice_bob')).toBe(before + 2);
  });

  it('When a request with a key fails validation, then the key is not used up', async () => {
    await post('/api/v1/threads/t_alice_bob/messages', { text: '' }, 'u4').expect(400);
    await post('/api/v1/threads/t_alice_bob/messages', { text: '' }, 'u4').expect(400);
    await post('/api/v1/threads/t_alice_bob/messages', { text: 'now valid' }, 'u4').expect(201);
  });

  it.each([
    ['empty', '""'],
    ['too long', 'x'.repeat(256)],
    ['with a space', 'a b'],
  ])('When the key is %s, then the answer is 400', async (_name, key) => {
    await post('/api/v1/threads/t_alice_bob/messages', { text: 'bad key' }, key).expect(400);
  });

  it('When the SDK writes, then it sends a key, and its retry after a refresh reuses it: the message is stored once', async () => {
    const seen: (string | null)[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      seen.push(new Headers(init?.headers).get('idempotency-key'));
      return fetch(input, init);
    };
    const issued = await gh.platform.tokens.issue({
      personId: 'p_alice',
      clientId: 'tunewave',
      scopes: ['messages:write'],
    });
    const client = createGlasshouseClient({
      baseUrl: gh.url,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      clientId: 'tunewave',
      clientSecret: PARTNER_SECRETS.tunewave,
      fetch: recordingFetch,
    });
    expect(await expireAccessTokens(gh, 'tunewave', 'alice')).toBeGreaterThan(0);
    const before = count('t_alice_bob');
    await client.postMessage('t_alice_bob', { text: 'after a refresh' });
    const keys = seen.filter((k): k is string => k !== null);
    expect(keys).toHaveLength(2); // the 401 attempt and the retry (the token request carries none)
    expect(keys[0]).toBe(keys[1]);
    expect(count('t_alice_bob')).toBe(before + 1);
    await client.postMessage('t_alice_bob', { text: 'another write' });
    expect(seen.filter((k) => k !== null).at(-1)).not.toBe(keys[0]);
  });
});

describe('the OpenAPI document', () => {
  const gh = usePlatform();

  it('documents Idempotency-Key (and its 409/422) on every POST, and since_id on every list', async () => {
    const doc = (await request(gh.url).get('/api/v1/openapi.json').expect(200)).body as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>
      >;
    };
    const operations = Object.values(doc.paths).flatMap((item) => Object.entries(item));
    const posts = operations.filter(([method]) => method === 'post');
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const [, op] of posts) {
      expect(op.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]),
      );
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
    const lists = operations.filter(
      ([method, op]) => method === 'get' && op.parameters?.some((p) => p.name === 'limit'),
    );
    expect(lists.length).toBeGreaterThanOrEqual(4);
    for (const [, op] of lists) expect(op.parameters!.map((p) => p.name)).toContain('since_id');
  });
});

describe('Idempotency-Key and a world reset', () => {
  const gh = usePlatform();
  const send = (path: string, body: object, key: string, bearer: string) =>
    request(gh.url).post(path).set('Authorization', `Bearer ${bearer}`).set('Idempotency-Key', key).send(body);

  it('When the world is reset, then a key used before it runs anew: no answer from the old world is replayed', async () => {
    const alice = await tokenFor(gh, 'alice');
    const path = '/api/v1/threads/t_alice_bob/messages';
    const first = await send(path, { text: 'before the reset' }, 'across-reset', alice).expect(201);
    await request(gh.url).post('/admin/reset').set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`).expect(200);
    const fresh = await tokenFor(gh, 'alice');
    const again = await send(path, { text: 'before the reset' }, 'across-reset', fresh).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
    expect(gh.store.get('messages', again.body.id)).toBeDefined();
  });
});
