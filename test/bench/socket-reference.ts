import { info, type Figure } from './figures.js';
import { percentile } from './load.js';
import { startServer } from './processes.js';
import { deliveryLatencies, SocketCrowd } from './sockets.js';
import { BIG_THREAD } from './world.js';

/** A delivered message as the platform's partner socket sends it (`messageOut`), of the same size. */
const messageLike = (id: string, text: string) => ({
  id,
  threadId: BIG_THREAD,
  sender: { id: 'p_bob', username: 'bob', displayName: 'Bob Okafor' },
  text,
  via: 'tunewave',
  createdAt: Date.now(),
});

/**
 * Same-run reference for the delivery targets (given in ms, so they scale with the machine): bare
 * socket.io in its own process (`child-socketio.ts`: an HTTP POST emits to a room, with no token,
 * store, policy or log), reached by the same clients as the platform's (`SocketCrowd`, in this
 * process), measured as the platform's deliveries are (`deliveryLatencies`): one recipient with
 * `sockets` others connected, then all `sockets` of one room. Figures only, no target of their own.
 */
export async function benchSocketReference(sockets: number): Promise<Figure[]> {
  const server = await startServer('socketio', {});
  const crowd = new SocketCrowd();
  const one = new SocketCrowd();
  try {
    await crowd.connect(server.url, ['alice'], sockets);
    await one.connect(server.url, ['dave'], 1);
    const emit = async (room: string, i: number): Promise<string> => {
      const res = await fetch(`${server.url}/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ room, message: messageLike(`m_ref_${room}_${i}`, `to ${room} ${i}`) }),
      });
      if (res.status !== 201) throw new Error(`bare socket.io POST /emit: ${res.status}`);
      return ((await res.json()) as { id: string }).id;
    };
    const toOne = await deliveryLatencies((i) => emit('dave', i), (id) => one.waitFor(id, 1));
    const toAll = await deliveryLatencies((i) => emit('alice', i), (id) => crowd.waitFor(id, sockets, 10_000));
    const name = 'reference: bare socket.io, POST →';
    return [
      info(`${name} one recipient's socket, p50 (${sockets} other sockets connected)`, percentile(toOne, 50), 'ms'),
      info(`${name} one recipient's socket, p99 (${sockets} other sockets connected)`, percentile(toOne, 99), 'ms'),
      info(`${name} all ${sockets} sockets of one room, p50`, percentile(toAll, 50), 'ms'),
      info(`${name} all ${sockets} sockets of one room, p99`, percentile(toAll, 99), 'ms'),
    ];
  } finally {
    crowd.close();
    one.close();
    await server.stop();
  }
}
