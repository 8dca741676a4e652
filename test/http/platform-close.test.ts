import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { CLOSE_GRACE_MS } from '../../server/src/platform.js';
import { startPlatform } from '../helpers/platform.js';

describe('closing the platform (npm start on Ctrl-C)', () => {
  it.each([
    ['a connection that sent nothing', ''],
    ['half a request', 'GET /login HTTP/1.1\r\nHost: x\r\n'],
  ])(
    'When a client holds %s, then close() still ends within its grace, closing that connection',
    async (_what, sent) => {
      const gh = await startPlatform();
      const { port } = new URL(gh.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(sent);
      const closed = new Promise((r) => socket.once('close', r));
      const started = Date.now();
      await gh.close();
      expect(Date.now() - started).toBeLessThan(CLOSE_GRACE_MS + 3_000);
      await closed;
    },
  );
});
