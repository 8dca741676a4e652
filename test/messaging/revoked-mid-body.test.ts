import http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { ALL_SCOPES, tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';

/** Authentication is read before the body; the write happens after it arrives. */
describe('a partner write whose body arrives after its token was revoked', () => {
  const gh = usePlatform();

  it('When the grant is revoked while a POST body is still uploading, then the message is not posted', async () => {
    const token = await tokenFor(gh, 'alice', ALL_SCOPES);
    const body = JSON.stringify({ text: 'posted after the revocation' });
    const target = new URL('/api/v1/threads/g_weekend/messages', gh.url);
    let answer!: (r: { status: number }) => void;
    const answered = new Promise<{ status: number }>((r) => (answer = r));
    const req = http.request(target, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    req.on('response', (res) => {
      res.resume();
      answer({ status: res.statusCode! });
    });
    req.write(body.slice(0, 5)); // headers and the start of the body: the token is checked now
    await new Promise((r) => setTimeout(r, 100));
    await gh.platform.tokens.revokeGrant((await gh.platform.tokens.verify(token)).grantId);
    req.end(body.slice(5));
    const { status } = await answered;
    const posted = gh.store.all('messages').filter((m) => m.text === 'posted after the revocation');
    expect({ status, posted: posted.length }).toEqual({ status: 401, posted: 0 });
  });
});
