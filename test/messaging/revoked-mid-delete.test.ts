import http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { ALL_SCOPES, tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';

/** A DELETE takes no body, but a chunked one is read to its end (noBody) before the deletion runs. */
describe('a partner DELETE whose (empty, chunked) body ends after its token was revoked', () => {
  const gh = usePlatform();

  it('When the grant is revoked while a chunked DELETE is still open, then the message is not deleted', async () => {
    const token = await tokenFor(gh, 'alice', ALL_SCOPES);
    let answer!: (r: { status: number }) => void;
    const answered = new Promise<{ status: number }>((r) => (answer = r));
    const req = http.request(new URL('/api/v1/messages/m_0001', gh.url), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      res.resume();
      answer({ status: res.statusCode! });
    });
    req.flushHeaders(); // headers only: the token is checked now, the body is still open
    await new Promise((r) => setTimeout(r, 100));
    await gh.platform.tokens.revokeGrant((await gh.platform.tokens.verify(token)).grantId);
    req.end(); // the empty chunked body ends: no body, the route runs
    const { status } = await answered;
    expect({ status, stillStored: gh.store.get('messages', 'm_0001') !== undefined }).toEqual({
      status: 401,
      stillStored: true,
    });
  });
});
