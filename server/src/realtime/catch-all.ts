import type { Logger } from 'pino';
import type { Socket } from 'socket.io';

/** The ack a client gets for an event the namespace does not know, or whose payload it refuses. */
export type EventRefusal = { error: 'unknown_event' } | { error: 'invalid_payload'; detail?: string };

/**
 * One catch-all per namespace: an event that is not in `known` is answered, when the client asked
 * for an acknowledgement, with `{ error: 'unknown_event' }`, and logged at debug level, so a client
 * never waits for an answer that cannot come. Known events validate their own payloads and answer
 * `{ error: 'invalid_payload' }` (see `refuse`).
 */
export function answerUnknownEvents(socket: Socket, known: readonly string[], logger: Logger): void {
  socket.onAny((event: string, ...args: unknown[]) => {
    if (known.includes(event)) return;
    logger.debug({ nsp: socket.nsp.name, event, socketId: socket.id }, 'unknown socket event');
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as (r: EventRefusal) => void)({ error: 'unknown_event' });
  });
}

/** Answers a known event whose payload failed validation (and logs it at debug level). */
export function refuse(logger: Logger, socket: Socket, event: string, ack: unknown, detail?: string): void {
  logger.debug({ nsp: socket.nsp.name, event, socketId: socket.id, detail }, 'invalid socket payload');
  if (typeof ack === 'function')
    (ack as (r: EventRefusal) => void)({ error: 'invalid_payload', ...(detail ? { detail } : {}) });
}

/**
 * Listens to a known client event that takes `arity` payload arguments and then an acknowledgement.
 * socket.io passes the ack as the *last* argument, so a client that sends more or fewer arguments
 * would otherwise leave the handler without its ack (and the client waiting): such a call is
 * answered `{ error: 'invalid_payload' }`; one without an ack is logged and dropped.
 */
export function onKnownEvent(
  socket: Socket,
  event: string,
  arity: number,
  logger: Logger,
  handler: (payload: unknown[], ack: (answer: unknown) => void) => void,
): void {
  socket.on(event, (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function')
      return refuse(logger, socket, event, undefined, 'an acknowledgement callback is required');
    const payload = args.slice(0, -1);
    if (payload.length !== arity)
      return refuse(logger, socket, event, ack, `expects ${arity} argument(s) before the acknowledgement`);
    handler(payload, ack as (answer: unknown) => void);
  });
}
