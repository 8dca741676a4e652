import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock/clock.js';
import type { EventBus } from '../events.js';
import { tokenKeyOf } from '../http/bearer-auth.js';
import type { Fault, FaultRequest } from './fault-schema.js';

/** Where a fault is looked for: an API call, a socket handshake or delivery, a refresh. */
export type FaultChannel = 'api' | 'socket' | 'refresh';
const KINDS_BY_CHANNEL: Record<FaultChannel, Fault['kind'][]> = {
  api: ['status', 'latency'],
  socket: ['drop-sockets', 'latency'],
  refresh: ['refuse-refresh'],
};

interface Rule extends Fault {
  tokenKey?: string;
}

/** What a call is: its client, the hash of the token it carries, whose token it is, what it does. */
export interface FaultCall {
  clientId: string;
  tokenKey: string;
  /** The resource owner (person id). */
  ownerId: string;
  /** e.g. `GET /api/v1/me`, `socket handshake`. */
  operation: string;
}

const labelOf = (f: FaultRequest) =>
  f.kind === 'status' ? `status ${f.status}` : f.kind === 'latency' ? `latency ${f.latencyMs} ms` : f.kind;

/**
 * The platform's injected faults (README "Time, faults and expiry for testers"): rules an admin
 * adds, matched per call by client or token, counted down per matching call, ended by the platform
 * clock, all cleared by a reset. Every time one applies, `fault.injected` is emitted (monitor).
 */
export function createFaultInjector({ clock, events }: { clock: Clock; events: EventBus }) {
  let rules: Rule[] = [];
  const active = (r: Rule) =>
    (r.remaining === undefined || r.remaining > 0) && (r.until === undefined || r.until > clock.now());
  const publicOf = ({ tokenKey: _k, ...fault }: Rule): Fault => fault;
  const offReset = events.on('world.reset', () => {
    rules = [];
  });

  return {
    /** Adds a rule; a `drop-sockets` rule's sockets are disconnected by the partner socket at once. */
    add(request: FaultRequest): Fault {
      const rule: Rule = {
        id: `f_${randomUUID()}`,
        ...(request.clientId ? { clientId: request.clientId } : {}),
        ...(request.token ? { tokenKey: tokenKeyOf(request.token) } : {}),
        byToken: request.token !== undefined,
        kind: request.kind,
        ...(request.status
          ? {
              status: request.status,
              retryAfter: request.retryAfter ?? (request.status === 429 || request.status === 503 ? 1 : undefined),
            }
          : {}),
        ...(request.latencyMs ? { latencyMs: request.latencyMs } : {}),
        ...(request.times ? { remaining: request.times } : {}),
        ...(request.seconds ? { until: clock.now() + request.seconds * 1000 } : {}),
        label: labelOf(request),
      };
      rules = [...rules.filter(active), rule];
      if (rule.kind === 'drop-sockets')
        events.emit('faults.drop-sockets', {
          faultId: rule.id,
          ...(rule.clientId ? { clientId: rule.clientId } : {}),
          ...(rule.tokenKey ? { tokenKey: rule.tokenKey } : {}),
        });
      return publicOf(rule);
    },
    /** Rules still in force. */
    list: (): Fault[] => rules.filter(active).map(publicOf),
    clear(): void {
      rules = [];
    },
    /**
     * The first rule in force for `call` on `channel`, counted as used (and announced), if any.
     * A `drop-sockets` rule matches socket handshakes only (`handshake: true`). `logged`: the caller
     * writes the access-log entry itself; otherwise faults/fault-log.ts does.
     */
    take(
      channel: FaultChannel,
      call: FaultCall,
      options: { handshake?: boolean; logged?: boolean } = {},
    ): Fault | undefined {
      const rule = rules.find(
        (r) =>
          active(r) &&
          KINDS_BY_CHANNEL[channel].includes(r.kind) &&
          (r.kind !== 'drop-sockets' || options.handshake === true) &&
          (r.tokenKey ? r.tokenKey === call.tokenKey : r.clientId === call.clientId),
      );
      if (!rule) return undefined;
      if (rule.remaining !== undefined) rule.remaining -= 1;
      events.emit('fault.injected', {
        at: clock.now(),
        clientId: call.clientId,
        ownerId: call.ownerId,
        channel,
        label: rule.label,
        faultId: rule.id,
        operation: call.operation,
        logged: options.logged ?? false,
      });
      return publicOf(rule);
    },
    /** Waits a latency fault's time (wall clock: latency is real waiting). */
    delay: (fault: Fault) => sleep(fault.latencyMs ?? 0),
    close: offReset,
  };
}

export type FaultInjector = ReturnType<typeof createFaultInjector>;
