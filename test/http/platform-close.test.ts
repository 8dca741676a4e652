import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { CLOSE_GRACE_MS } from '../../server/src/platform.js';
import { startPlatform } from '../helpers/platform.js';

describe('closing the platform (npm start on Ctrl-C)', () => {
  it.each([
    ['a connection that sent nothing', ''],
    ['half a request', 'GET /login HTTP/1.1\r\nHost: x\r\n'],
    [
      'an answered Upgrade: h2c request, its own side kept open',
      'GET /login HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
    ],
  ])(
    'When a client holds %s, then close() still ends within its grace, closing that connection',
    async (_what, sent) => {
      const gh = await startPlatform();
      const { port } = new URL(gh.url);
      const socket = net.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
      socket.on('data', () => {});
      await new Promise((r) => socket.once('connect', r));
      socket.write(sent);
      // The client keeps its own side open (allowHalfOpen): the server's end of it is what counts.
      const ended = new Promise((r) => socket.once('end', r));
      const started = Date.now();
      await gh.close();
      expect(Date.now() - started).toBeLessThan(CLOSE_GRACE_MS + 3_000);
      await ended;
      socket.destroy();
    },
  );
});
