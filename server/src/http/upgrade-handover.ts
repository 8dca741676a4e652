import type { IncomingMessage } from 'node:http';

/** Bytes written on an upgrade's socket before engine.io was handed it (the answers to requests pipelined before). */
const HANDED_OVER = Symbol('bytes written before the upgrade was handed to engine.io');
type HandedOver = IncomingMessage & { [HANDED_OVER]?: number };

/** Notes, as `req` (an upgrade) goes to engine.io, what its socket carried before. */
export function markHandover(req: IncomingMessage): void {
  (req as HandedOver)[HANDED_OVER] = req.socket.bytesWritten;
}

/**
 * Whether engine.io wrote on the socket of `req`, an upgrade it was handed: its 101, so the WebSocket
 * has begun and no HTTP answer may follow (the answers to requests pipelined before do not count).
 */
export function upgradeAnswered(req: IncomingMessage): boolean {
  return req.socket.bytesWritten > ((req as HandedOver)[HANDED_OVER] ?? 0);
}
