/**
 * Bench reference: bare socket.io 4 on 127.0.0.1 (an ephemeral port, printed as `ready <port>`), for
 * the delivery targets measured in the same run. Namespace `/partners`: a socket joins the room named
 * by its `auth.token`, with no check. `POST /emit` with a JSON body `{ room, message }` emits
 * `message:created` `{ message }` to that room (one encoding for all its sockets, as the platform's
 * deliveries are) and answers 201 `{ id: message.id }` after the emit.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/emit') {
      res.writeHead(404).end();
      return;
    }
    const { room, message } = JSON.parse(body) as { room: string; message: { id: string } };
    partners.to(room).emit('message:created', { message });
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: message.id }));
  });
});
const io = new Server(server, { serveClient: false });
const partners = io.of('/partners');
partners.on('connection', (socket) => void socket.join(String((socket.handshake.auth as { token?: unknown }).token)));
server.listen(0, '127.0.0.1', () => console.log(`ready ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => void io.close(() => process.exit(0)));
