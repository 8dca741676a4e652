import { EventEmitter } from 'node:events';
import type { AccessEntry, DeletionRequest, Message, PolicyMode } from './store/schema.js';

/**
 * Domain events. Services emit them; realtime, audit and the monitor subscribe. One bus per
 * platform instance (created in `createPlatform`), never a module-level singleton.
 */
export interface DomainEvents {
  'message.created': { message: Message; participantIds: string[] };
  'message.deleted': { message: Message; participantIds: string[]; deletedBy: string; via?: string };
  'access.recorded': { entry: AccessEntry };
  /** An OAuth step (authorize, consent, code, token, refresh, revoke…), for the monitor. */
  'oauth.step': { at: number; step: string; clientId?: string; personId?: string; scopes?: string[]; detail?: string };
  /** Tokens an admin expired or revoked (README "Time, faults and expiry for testers"); partner sockets holding `accessTokens` close. */
  'tokens.ended': { action: 'expire' | 'revoke'; count: number; clientId?: string; accessTokens: string[] };
  /** A controllable clock moved forward. */
  'clock.advanced': { now: number; offsetMs: number };
  /** An admin added a `drop-sockets` fault: close the partner sockets of this client (or token hash). */
  'faults.drop-sockets': { faultId: string; clientId?: string; tokenKey?: string };
  /** An injected fault changed a call (README "Time, faults and expiry for testers"). */
  'fault.injected': {
    at: number;
    clientId: string;
    ownerId: string;
    channel: 'api' | 'socket' | 'refresh';
    label: string;
    faultId: string;
    /** The call it changed, e.g. `GET /api/v1/me`, `socket handshake`. */
    operation: string;
    /** True when the caller writes the access-log entry itself (API calls, socket deliveries). */
    logged: boolean;
  };
  'grant.revoked': { grantId: string; clientId: string; personId: string };
  /** Scopes withdrawn from a grant: `scopes` are those left (tokens under it lose the others at once). */
  'grant.narrowed': { grantId: string; scopes: string[] };
  'client.status': { clientId: string; status: 'active' | 'shut_down' };
  'policy.changed': { mode: PolicyMode };
  /** The platform asked a client to delete what it kept about a person, and how it answered. */
  'deletion.requested': { clientId: string; personId: string; request: DeletionRequest };
  'world.reset': Record<string, never>;
  /** A web session ended or changed hands (logout, login on it, expiry): its sockets must close. */
  'session.ended': { sessionId: string; reason: SessionEndReason };
}

/**
 * Why a web session's sockets were closed; sent to the page as `session:ended`. `dropped`: the
 * session store was full (`SESSIONS_MAX`) and this session was the least recently used.
 */
export type SessionEndReason = 'logged_out' | 'logged_in' | 'expired' | 'dropped';

export type EventName = keyof DomainEvents;

export class EventBus {
  readonly #emitter = new EventEmitter({ captureRejections: false });
  constructor() {
    this.#emitter.setMaxListeners(100);
  }
  emit<E extends EventName>(name: E, payload: DomainEvents[E]): void {
    this.#emitter.emit(name, payload);
  }
  /** Subscribes; returns the function that unsubscribes. */
  on<E extends EventName>(name: E, listener: (payload: DomainEvents[E]) => void): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }
}
