import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { demoWarnings, listenWarning, testConfig } from '../../server/src/config.js';
import { freePort, listen } from '../../server/src/http/startup.js';

/** Whether a TCP connection to `host:port` is accepted. */
const reaches = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** This machine's first IPv4 address that is not loopback, if it has one. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
const hasIpv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((i) => i?.address === '::1');

describe('where npm start listens (LISTEN_HOST)', () => {
  (lanAddress ? it : it.skip)(
    "When it listens on loopback (the default), then 127.0.0.1 and ::1 reach it and the machine's network address does not",
    async () => {
      const server = http.createServer((_req, res) => res.end('ok'));
      const port = await freePort();
      await listen(server, port, 'Test');
      try {
        expect(await reaches('127.0.0.1', port)).toBe(true);
        if (hasIpv6Loopback) expect(await fetch(`http://[::1]:${port}/`).then((r) => r.text())).toBe('ok');
        expect(await reaches(lanAddress!, port)).toBe(false);
        const answer = await fetch(`http://localhost:${port}/`).then((r) => r.text());
        expect(answer).toBe('ok');
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    },
  );

  (lanAddress ? it : it.skip)('When LISTEN_HOST is 0.0.0.0, then the network address reaches it too', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    const port = await freePort();
    await listen(server, port, 'Test', '0.0.0.0');
    try {
      expect(await reaches(lanAddress!, port)).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the start-up warning about LISTEN_HOST', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20', 'example.test', '::ffff:10.0.0.1'])(
    'When LISTEN_HOST is %s (beyond this machine), then npm start and npm run partners warn of it',
    (host) => {
      const config = testConfig({ LISTEN_HOST: host });
      expect(listenWarning(config)).toContain(`LISTEN_HOST=${host} is reachable beyond this machine`);
      expect(demoWarnings(config)).toContain(listenWarning(config));
    },
  );

  it.each([
    'loopback',
    'localhost',
    'LOCALHOST',
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('When LISTEN_HOST is %s (this machine only), then nothing is said of it', (host) => {
    const config = testConfig({ LISTEN_HOST: host });
    expect(listenWarning(config)).toBeUndefined();
    expect(demoWarnings(config).join('\n')).not.toContain('LISTEN_HOST');
  });
});

describe('listening on a host that cannot be used', () => {
  it('When LISTEN_HOST is written as a URL host ([::1]), then the error names the host, not only the port', async () => {
    const server = http.createServer();
    const port = await freePort();
    await expect(listen(server, port, 'Tunewave', '[::1]')).rejects.toThrow(
      `Tunewave: port ${port} of [::1] cannot be used`,
    );
  });
});
