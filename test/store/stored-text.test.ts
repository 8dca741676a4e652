import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { InvalidRowError } from '../../server/src/store/store-errors.js';
import { codePointLength } from '../../server/src/store/text.js';
import { usePlatform } from '../helpers/platform.js';
import { stateOf, tokenFor } from '../helpers/api.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

const THREAD = '/api/v1/threads/g_weekend/messages';
const emoji = (n: number) => '😀'.repeat(n);

describe('text that enters the store (README "Text in the store")', () => {
  const gh = usePlatform();
  let auth: { Authorization: string };
  beforeAll(async () => {
    auth = { Authorization: `Bearer ${await tokenFor(gh, 'alice')}` };
  });

  it.each([
    ['a lone surrogate', { text: '\ud800' }, /well-formed Unicode/],
    ['a NUL character', { text: 'a\u0000b' }, /control characters/],
    ['an escape character', { text: 'a\u001b[31mred' }, /control characters/],
    ['2,001 emoji', { text: emoji(2001) }, /at most 2000 characters/],
    [
      'a now-playing title with a lone surrogate',
      { text: 'hi', nowPlaying: { kind: 'track', title: 'x\udc00' } },
      /nowPlaying\.title: must be well-formed/,
    ],
    [
      'a now-playing artist with a control character',
      { text: 'hi', nowPlaying: { kind: 'track', title: 't', artist: 'a\u0007' } },
      /nowPlaying\.artist: must not contain control/,
    ],
    [
      'a now-playing url ending in NUL',
      { text: 'hi', nowPlaying: { kind: 'track', title: 't', url: 'https://x.example/\u0000' } },
      /nowPlaying\.url: must not contain control/,
    ],
    [
      'a now-playing url with a lone surrogate',
      { text: 'hi', nowPlaying: { kind: 'track', title: 't', url: 'https://x.example/a\ud800' } },
      /nowPlaying\.url: must be well-formed/,
    ],
    [
      'a now-playing url with a bell in its fragment',
      { text: 'hi', nowPlaying: { kind: 'track', title: 't', url: 'https://x.example/#\u0007' } },
      /nowPlaying\.url: must not contain control/,
    ],
  ])(
    'When a partner posts %s, then it is a 400 problem naming the field and nothing is stored',
    async (_what, body, detail) => {
      const before = stateOf(gh.store);
      const res = await request(gh.url).post(THREAD).set(auth).send(body).expect(400);
      expect(res.body.detail).toMatch(detail);
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it.each([
    ['1,000 emoji', emoji(1000)],
    ['1,001 emoji (limits count code points, not UTF-16 units)', emoji(1001)],
    ['2,000 emoji, the limit', emoji(2000)],
    ['newlines and tabs', 'line one\n\tline two'],
  ])('When a partner posts %s, then it is stored as sent', async (_what, text) => {
    const res = await request(gh.url).post(THREAD).set(auth).send({ text }).expect(201);
    expect(gh.store.get('messages', res.body.id)?.text).toBe(text);
    expect(codePointLength(text)).toBeLessThanOrEqual(2000);
  });

  it('When a person sends "a\\u0000b" from the web inbox, then it is refused and nothing is stored', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/threads/t_alice_bob').expect(200);
    const before = stateOf(gh.store);
    await alice
      .post('/threads/t_alice_bob/messages')
      .type('form')
      .send({ text: 'a\u0000b', _csrf: csrfFrom(page.text) })
      .expect(400);
    expect(stateOf(gh.store)).toBe(before);
  });

  it('When a tester registers a client whose name holds a control character, then registration is refused (RFC 7591 invalid_client_metadata)', async () => {
    const before = gh.store.all('clients').length;
    const res = await request(gh.url)
      .post('/reg')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ client_name: 'Pod\u0000nest', redirect_uris: ['http://127.0.0.1:9/cb'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_client_metadata');
    expect(gh.store.all('clients')).toHaveLength(before);
  });

  it.each([
    [
      'a redirect URI with a lone surrogate',
      { redirect_uris: ['https://x.example/cb\ud800'] },
      'invalid_redirect_uri',
      /^redirect_uris\.0 must be well-formed/,
    ],
    [
      'a redirect URI ending in NUL',
      { redirect_uris: ['https://x.example/cb\u0000'] },
      'invalid_redirect_uri',
      /^redirect_uris\.0 must not contain control/,
    ],
    [
      'a tos_uri with an escape character',
      { redirect_uris: ['https://x.example/cb'], tos_uri: 'https://x.example/\u001b' },
      'invalid_client_metadata',
      /^tos_uri must not contain control/,
    ],
    [
      'a logo_uri with a lone surrogate',
      { redirect_uris: ['https://x.example/cb'], logo_uri: 'https://x.example/\udc00' },
      'invalid_client_metadata',
      /^logo_uri must be well-formed/,
    ],
  ])(
    'When a tester registers a client with %s, then registration is refused naming the field (RFC 7591 §3.2.2)',
    async (_what, metadata, error, description) => {
      const before = gh.store.all('clients').length;
      const res = await request(gh.url)
        .post('/reg')
        .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
        .send({ client_name: 'Podnest', ...metadata });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error, error_description: expect.stringMatching(description) });
      expect(gh.store.all('clients')).toHaveLength(before);
    },
  );

  it.each(['   ', '\u3164', '\u2800\u2800', '\ufe0f'])(
    'When a tester registers a client named %j (shows nothing), then registration is refused (RFC 7591 invalid_client_metadata)',
    async (name) => {
      const before = gh.store.all('clients').length;
      const res = await request(gh.url)
        .post('/reg')
        .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
        .send({ client_name: name, redirect_uris: ['http://127.0.0.1:9/cb'] });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_client_metadata', error_description: /^client_name must/ });
      expect(gh.store.all('clients')).toHaveLength(before);
    },
  );

  it('When code inside the platform puts a row with ill-formed text, then the store refuses it (nothing reaches memory or the file)', async () => {
    const message = { id: 'm_bad', threadId: 't_alice_bob', senderId: 'p_alice', text: '\ud800', createdAt: 1 };
    await expect(gh.store.put('messages', message)).rejects.toBeInstanceOf(InvalidRowError);
    expect(gh.store.get('messages', 'm_bad')).toBeUndefined();
  });
});
