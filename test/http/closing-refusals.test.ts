import { beforeAll, describe, expect, it } from '@jest/globals';
import { stateOf, tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';
import { rawRequest } from '../helpers/raw-http.js';

const statusesIn = (answer: string) => [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map(([, status]) => status);

/**
 * A refusal that closes the connection (a request a proxy in front could frame otherwise) leaves
 * nothing pipelined after it to run: node's parser still hands out the requests that came in the same
 * bytes, and they were run (stored) though never answered.
 */
describe('refusals that close the connection', () => {
  const gh = usePlatform();
  let post: (text: string) => string;
  beforeAll(async () => {
    const token = await tokenFor(gh, 'alice');
    post = (text) => {
      const body = JSON.stringify({ text });
      return (
        `POST /api/v1/threads/t_alice_bob/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
      );
    };
  });

  it.each([
    [
      'a transfer coding besides chunked',
      'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      '501',
    ],
    ['a bad Host', 'GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n', '400'],
    ['an Expect other than 100-continue', 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n', '417'],
    [
      'a repeated field and a transfer coding besides chunked',
      'POST /x HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\nUser-Agent: b\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      '501',
    ],
    ['a repeated field', 'GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\nUser-Agent: b\r\n\r\n', '400'],
  ])(
    'When a request with %s has a post pipelined after it, then only the refusal is answered, the connection closes and the post is never run',
    async (_what, refused, status) => {
      const before = stateOf(gh.store);
      const { answer, socket } = await rawRequest(gh.url, refused + post('smuggled after a refusal'));
      socket.destroy();
      expect(statusesIn(answer)).toEqual([status]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stateOf(gh.store)).toBe(before);
      expect(gh.store.all('messages').some((m) => m.text === 'smuggled after a refusal')).toBe(false);
    },
  );

  it('When a body the parser refuses belongs to a request pipelined behind a large answer, then its 400 follows that answer at once (it waited five minutes for a 408)', async () => {
    const { answer, socket } = await rawRequest(
      gh.url,
      'GET /socket.io/socket.io.js HTTP/1.1\r\nHost: x\r\n\r\n' +
        'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nhello\r\n0\r\n\r\n',
    );
    socket.destroy();
    expect(statusesIn(answer)).toEqual(['200', '400']);
  }, 10_000);

  it.each([
    ['POST /nonexistent', ['200', '404']],
    ['POST /api/v1/threads/t_alice_bob/messages', ['200', '401']],
  ])(
    'When a body the parser refuses belongs to %s pipelined behind a large answer, whose route answers without reading it, then that answer stands and the connection closes (both were lost)',
    async (request, statuses) => {
      const { answer, socket } = await rawRequest(
        gh.url,
        `GET /socket.io/socket.io.js HTTP/1.1\r\nHost: x\r\n\r\n${request} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n\r\n`,
      );
      socket.destroy();
      expect(statusesIn(answer)).toEqual(statuses);
    },
    10_000,
  );
});
