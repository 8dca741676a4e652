import type http from 'node:http';
import { answerUpgrades, asksForWebSocket, type UpgradeListener } from '../../../partners/sdk/web-server/index.js';
import { API_HEADERS } from './api-headers.js';
import { refusalProblem } from './problem.js';
import { markHandover } from './upgrade-handover.js';

/**
 * The platform's `upgrade` listener (`answerUpgrades`, partners/sdk/web-server/upgrades.ts): every
 * upgrade gets the server-wide checks and waits for the answers to requests pipelined before it;
 * socket.io's (WebSocket upgrades whose raw URL starts with `socketPath/`) then go to engine.io, whose listener socket.io attached
 * (call this after it) and which answered at once: its 101, or its refusal, went out before or inside
 * an earlier answer. The others (`Upgrade: h2c`) are answered over HTTP/1.1 by `app` (every request
 * listener of the server: engine.io's polling too), or refused as problem details with the API's
 * headers when they carry a body. engine.io is built with
 * `destroyUpgrade: false`, which would otherwise end them after 1 s without a byte.
 * @returns closeAll(): destroys the connections still open here (the platform's close, after its grace).
 */
export function answerOtherUpgrades(
  server: http.Server,
  app: http.RequestListener,
  socketPath: string,
): { closeAll(): void } {
  const engine = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  return answerUpgrades(server, app, refusalProblem, API_HEADERS, {
    // engine.io's own test of a path (the raw URL), for WebSocket upgrades only: `Upgrade: h2c` there is
    // answered as any request is (the polling transport, the client script).
    claims: (req) => (req.url ?? '').startsWith(`${socketPath}/`) && asksForWebSocket(req),
    // engine.io checks these of a WebSocket only after its 101 (then it closes the connection unanswered).
    problem: (req) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const refused = (detail: string) => ({
        status: 400,
        code: 'bad_request',
        detail: `${detail} (engine.io, which carries socket.io, refused the request)`,
      });
      if (query.get('EIO') !== '4') return refused('Unsupported protocol version: EIO=4');
      return query.get('transport') === 'websocket'
        ? undefined
        : refused('Transport unknown: a WebSocket upgrade is transport=websocket');
    },
    before: markHandover,
    listeners: engine,
  });
}
