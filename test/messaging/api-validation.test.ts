import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { stateOf, tokenFor } from '../helpers/api.js';

const THREAD = '/api/v1/threads/g_weekend/messages';
const DIRECT = '/api/v1/me/messages';
const long = 'x'.repeat(2001);

/** [case, path, raw JSON body] → 400 problem details. */
const BAD_BODIES: [string, string, string][] = [
  ['malformed JSON', THREAD, '{"text": "hi"'],
  ['a JSON array', THREAD, '["hi"]'],
  ['a JSON string', THREAD, '"hi"'],
  ['an empty object', THREAD, '{}'],
  ['text of the wrong type', THREAD, '{"text": 42}'],
  ['empty text', THREAD, '{"text": ""}'],
  ['blank text', THREAD, '{"text": "   \\n\\t "}'],
  ['text of a zero-width space only', THREAD, '{"text": "\\u200b"}'],
  ['text of Hangul fillers only', THREAD, '{"text": "\\u3164\\uffa0\\u115f"}'],
  ['text of variation selectors and a grapheme joiner only', THREAD, '{"text": "\\ufe0f\\u034f\\u180b"}'],
  ['text of blank Braille only', THREAD, '{"text": "\\u2800\\u2800"}'],
  ['text of a bidi override only', THREAD, '{"text": " \\u202e "}'],
  ['text of invisible characters only', DIRECT, '{"to": "p_bob", "text": "\\u2060\\ufeff\\u3000\\u200d"}'],
  [
    'a now-playing title of a zero-width joiner only',
    THREAD,
    '{"text": "hi", "nowPlaying": {"kind": "track", "title": "\\u200d"}}',
  ],
  ['text over 2000 characters', THREAD, JSON.stringify({ text: long })],
  ['an unknown field', THREAD, '{"text": "hi", "senderId": "p_bob"}'],
  ['a __proto__ key', THREAD, '{"text": "hi", "__proto__": {"isAdmin": true}}'],
  [
    'a nested __proto__ key',
    THREAD,
    '{"text": "hi", "nowPlaying": {"kind": "track", "title": "t", "__proto__": {"x": 1}}}',
  ],
  ['a constructor key', THREAD, '{"text": "hi", "constructor": {"prototype": {}}}'],
  ['a now-playing card of an unknown kind', THREAD, '{"text": "hi", "nowPlaying": {"kind": "podcast", "title": "t"}}'],
  [
    'a now-playing card with an unknown field',
    THREAD,
    '{"text": "hi", "nowPlaying": {"kind": "track", "title": "t", "html": "<b>"}}',
  ],
  [
    'a now-playing link that is not http(s)',
    THREAD,
    '{"text": "hi", "nowPlaying": {"kind": "track", "title": "t", "url": "javascript:alert(1)"}}',
  ],
  ['a direct message without a recipient', DIRECT, '{"text": "hi"}'],
  ['a recipient of the wrong type', DIRECT, '{"to": ["p_bob"], "text": "hi"}'],
];

describe('messaging API input validation', () => {
  const gh = usePlatform();
  let auth: { Authorization: string };
  beforeAll(async () => {
    auth = { Authorization: `Bearer ${await tokenFor(gh, 'alice')}` };
  });

  it.each(BAD_BODIES)(
    'When the body is %s, then 400 problem details and the store is unchanged',
    async (_case, path, raw) => {
      const before = stateOf(gh.store);
      const res = await request(gh.url).post(path).set(auth).set('Content-Type', 'application/json').send(raw);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.any(String) });
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it.each([
    [
      'a byte that starts no character',
      THREAD,
      Buffer.from([...Buffer.from('{"text":"'), 0xff, 0xfe, ...Buffer.from(' bad"}')]),
    ],
    [
      'a truncated character',
      DIRECT,
      Buffer.from([...Buffer.from('{"to":"p_bob","text":"caf'), 0xc3, ...Buffer.from('"}')]),
    ],
    [
      'an encoded surrogate',
      THREAD,
      Buffer.from([...Buffer.from('{"text":"'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')]),
    ],
  ])(
    'When the JSON body holds %s (not UTF-8), then 400 invalid_encoding and nothing is stored',
    async (_case, path, bytes) => {
      const before = stateOf(gh.store);
      // The raw bytes, as sent (supertest would serialise a Buffer as JSON).
      const res = await fetch(gh.url + path, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: bytes,
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { type: string }).type).toMatch(/invalid_encoding$/);
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it('When a field is wrong, then the problem lists it by path', async () => {
    const res = await request(gh.url).post(THREAD).set(auth).send({ text: '', extra: 1 }).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body', 'body.text']);
  });

  it.each([
    [
      'a query parameter given twice',
      'get',
      `${THREAD}?limit=1&limit=2`,
      undefined,
      'query.limit',
      'Given 2 times: give it once',
    ],
    [
      'a choice given twice',
      'get',
      '/admin/access-log?action=read&action=write',
      undefined,
      'query.action',
      'Given 2 times',
    ],
    [
      'a number that is no number',
      'post',
      '/admin/tokens',
      { username: 'alice', clientId: 'tunewave', scopes: ['profile'], expiresIn: 'soon' },
      'body.expiresIn',
      'Expected a number, got "soon"',
    ],
    [
      'a cursor given three times',
      'get',
      '/api/v1/threads?before=a&before=b&before=c',
      undefined,
      'query.before',
      'Given 3 times',
    ],
    [
      'a string for a list (also too long for one)',
      'post',
      '/admin/tokens',
      { username: 'alice', clientId: 'tunewave', scopes: 'profile' },
      'body.scopes',
      'expected array, received string',
    ],
    [
      '1e300 for a whole number with a maximum',
      'post',
      '/admin/tokens',
      { username: 'alice', clientId: 'tunewave', scopes: ['profile'], expiresIn: 1e300 },
      'body.expiresIn',
      '<=86400',
    ],
    ['a required field left out (the message text)', 'post', THREAD, {}, 'body.text', 'Required (string)'],
    [
      'a required field left out (an admin token request without a username)',
      'post',
      '/admin/tokens',
      { clientId: 'tunewave', scopes: ['profile'] },
      'body.username',
      'Required (string)',
    ],
    [
      'a required choice left out (a policy mode)',
      'put',
      '/admin/policy',
      {},
      'body.mode',
      'Required (one of "broad"|"least-privilege")',
    ],
    ['no body at all where one is required', 'post', THREAD, undefined, 'body', 'Required (object)'],
    [
      'a status no fault answers',
      'post',
      '/admin/faults',
      { clientId: 'tunewave', kind: 'status', status: 200 },
      'body.status',
      '429|500|502|503|504',
    ],
  ] as const)(
    'When input has %s, then the problem names that field once, with what is wrong with it',
    async (_case, method, path, body, field, says) => {
      const admin = path.startsWith('/admin');
      const agent = request(gh.url);
      const res = await (method === 'get' ? agent.get(path) : method === 'put' ? agent.put(path) : agent.post(path))
        .set(admin ? { Authorization: `Bearer ${gh.config.ADMIN_TOKEN}` } : auth)
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: field, message: expect.stringContaining(says) }]);
    },
  );

  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'text=hello'],
    ['application/xml', '<text>hello</text>'],
  ])('When the body is sent as %s, then 415 and the store is unchanged', async (type, raw) => {
    const before = stateOf(gh.store);
    const res = await request(gh.url).post(THREAD).set(auth).set('Content-Type', type).send(raw);
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stateOf(gh.store)).toBe(before);
  });

  it('When the body is over 32 kB, then 413 and the store is unchanged', async () => {
    const before = stateOf(gh.store);
    const res = await request(gh.url)
      .post(THREAD)
      .set(auth)
      .send({ text: 'x'.repeat(33 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stateOf(gh.store)).toBe(before);
  });

  it.each(['null', '"hi"', '42', 'true'])(
    'When the body is the JSON value %s (not an object), then 400 validation_failed says so, never "not valid JSON"',
    async (raw) => {
      const res = await request(gh.url).post(THREAD).set(auth).set('Content-Type', 'application/json').send(raw);
      expect(res.status).toBe(400);
      expect(res.body.type).toMatch(/\/validation_failed$/);
      expect(res.body.errors).toEqual([{ path: '', message: 'must be a JSON object' }]);
    },
  );

  it.each([
    ['a charset it cannot read', { 'Content-Type': 'application/json; charset=latin1' }],
    ['a Content-Encoding it cannot read', { 'Content-Type': 'application/json', 'Content-Encoding': 'compress' }],
  ])('When the body comes in %s, then 415 unsupported_media_type like every other 415', async (_case, headers) => {
    const before = stateOf(gh.store);
    const res = await request(gh.url).post(THREAD).set(auth).set(headers).send('{"text":"hi"}');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toMatch(/\/unsupported_media_type$/);
    expect(stateOf(gh.store)).toBe(before);
  });

  it.each([
    ['GET /api/v1/me?foo=1', () => request(gh.url).get('/api/v1/me?foo=1')],
    ['GET /api/v1/me with a JSON body', () => request(gh.url).get('/api/v1/me').send({ x: 1 })],
  ])('When %s (input the route does not take) is sent, then 400 instead of being ignored', async (_case, send) => {
    const res = await send().set(auth);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('When there is no body at all, then 400', async () => {
    await request(gh.url).post(THREAD).set(auth).expect(400);
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=abc',
    'limit=1&limit=2',
    // Not decimal digits, though a number would read them: an empty or bare limit, hex, exponent, spaces.
    'limit=',
    'limit',
    'limit=0x10',
    'limit=1e1',
    'limit=%205',
    'limit=5.0',
    'before=',
    'before=m_9999',
    'sort=desc',
  ])('When a list is asked with %s, then 400 problem details and nothing is logged', async (query) => {
    const before = stateOf(gh.store);
    const res = await request(gh.url).get(`${THREAD}?${query}`).set(auth);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stateOf(gh.store)).toBe(before);
  });

  it('When text holds invisible characters among visible ones (an emoji family joined by U+200D, a right-to-left mark), then it is accepted as sent', async () => {
    for (const text of ['👨\u200d👩\u200d👧', 'שלום\u200f!']) {
      const res = await request(gh.url).post(THREAD).set(auth).send({ text }).expect(201);
      expect(res.body.text).toBe(text);
    }
  });

  it("When 2,000 emoji are sent as JSON escapes (as Python's json.dumps writes them: 24 kB), then the message is accepted", async () => {
    const escaped = `{"text":"${'\\ud83d\\ude00'.repeat(2000)}"}`;
    expect(escaped.length).toBeGreaterThan(24_000);
    const res = await request(gh.url).post(THREAD).set(auth).set('Content-Type', 'application/json').send(escaped);
    expect([res.status, [...res.body.text].length]).toEqual([201, 2000]);
  });

  it('When text has surrounding spaces and exactly 2000 characters inside, then it is accepted trimmed', async () => {
    const text = 'y'.repeat(2000);
    const res = await request(gh.url)
      .post(THREAD)
      .set(auth)
      .send({ text: `  ${text}  ` })
      .expect(201);
    expect(res.body.text).toBe(text);
  });

  it('When arbitrary JSON is posted or arbitrary list queries are sent, then never a 5xx, and a refusal changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(THREAD, DIRECT), fc.json({ maxDepth: 3 }), async (path, raw) => {
        const before = stateOf(gh.store);
        const res = await request(gh.url).post(path).set(auth).set('Content-Type', 'application/json').send(raw);
        expect([201, 400, 403, 404]).toContain(res.status);
        if (res.status !== 201) expect(stateOf(gh.store)).toBe(before);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('limit', 'before', 'x'), fc.string({ maxLength: 8 })),
        async (query) => {
          const res = await request(gh.url).get(THREAD).query(query).set(auth);
          expect([200, 400]).toContain(res.status);
        },
      ),
      { numRuns: 60 },
    );
  });
});
