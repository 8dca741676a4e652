import { beforeAll, describe, expect, it } from '@jest/globals';
import { usePlatform } from '../helpers/platform.js';
import { stateOf, tokenFor } from '../helpers/api.js';

const THREAD = '/api/v1/threads/g_weekend/messages';

/**
 * JSON text is UTF-8 (RFC 8259 §8.1). A `charset` parameter naming another encoding must not make
 * the reader decode the body with it: the bytes checked as UTF-8 would not be the text stored.
 */
describe('a JSON body declared in another charset', () => {
  const gh = usePlatform();
  let auth: { Authorization: string };
  beforeAll(async () => {
    auth = { Authorization: `Bearer ${await tokenFor(gh, 'alice')}` };
  });

  const utf32 = (s: string) => Buffer.from([...s].flatMap((c) => [c.codePointAt(0)!, 0, 0, 0]));
  it.each([
    ['utf-16le', Buffer.from('{"text":"utf16"}', 'utf16le')],
    ['utf-7', Buffer.from('{"text":"A+ImIDkQ."}')], // decodes as "A≢Α."
    // The unit 0x00110041 is above U+10FFFF: decoded as U+FFFD, though every byte is valid UTF-8.
    ['utf-32le', Buffer.concat([utf32('{"text":"a'), Buffer.from([0x41, 0, 0x11, 0]), utf32('"}')])],
  ])(
    'When the body is sent as application/json; charset=%s, then it is refused and nothing is stored',
    async (charset, bytes) => {
      const before = stateOf(gh.store);
      const res = await fetch(gh.url + THREAD, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': `application/json; charset=${charset}` },
        body: bytes,
      });
      expect(res.status).toBe(415);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(stateOf(gh.store)).toBe(before);
    },
  );

  it('When the body is sent as application/json; charset=UTF-8, then it is taken', async () => {
    const res = await fetch(gh.url + THREAD, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json; charset=UTF-8' },
      body: Buffer.from('{"text":"café"}'),
    });
    expect(res.status).toBe(201);
  });
});
