import type { RequestHandler } from 'express';
import type { AccessRecorder } from '../audit/access-recorder.js';
import { InjectedFaultError } from '../errors.js';
import { tokenOf } from '../http/bearer-auth.js';
import type { FaultInjector } from './fault-injector.js';

declare global {
  namespace Express {
    interface Locals {
      /** Set by the fault gate: the label of the fault injected into this call (access log `injected`). */
      injected?: string;
    }
  }
}

const ACTION_OF = { get: 'read', post: 'write', delete: 'delete' } as const;

/**
 * Runs after bearer authentication on each messaging API route: applies an injected fault for the
 * caller's client or token, if one is in force (README "Time, faults and expiry for testers").
 * A `status` fault answers at once, with an access-log entry marked `injected` that includes
 * nobody; a `latency` fault waits, then lets the call run (its entry is marked `injected` too).
 */
export function apiFaultGate(
  faults: FaultInjector,
  audit: AccessRecorder,
  route: { method: keyof typeof ACTION_OF; scope: string; operation: string },
): RequestHandler {
  // Not async: the call with no fault in force (every call but a tester's) goes on without a promise.
  return (_req, res, next) => {
    const token = tokenOf(res);
    const fault = faults.take(
      'api',
      {
        clientId: token.clientId,
        tokenKey: res.locals.tokenKey ?? '',
        ownerId: token.personId,
        operation: route.operation,
      },
      { logged: true },
    );
    if (!fault) return next();
    res.locals.injected = fault.label;
    return inject(fault, token, next);
  };

  /** A latency fault: waits, then the call goes on; a status fault: answers it (logged). */
  async function inject(
    fault: NonNullable<ReturnType<FaultInjector['take']>>,
    token: ReturnType<typeof tokenOf>,
    next: () => void,
  ): Promise<void> {
    if (fault.kind === 'latency') {
      await faults.delay(fault);
      return next();
    }
    await audit.record({
      // No scope was exercised: nothing was read or written (granted-vs-used ignores '').
      clientId: token.clientId,
      ownerId: token.personId,
      action: ACTION_OF[route.method],
      scope: '',
      operation: route.operation,
      channel: 'api',
      threadIds: [],
      messageIds: [],
      peopleIncluded: [],
      injected: fault.label,
    });
    throw new InjectedFaultError(fault.status ?? 500, fault.retryAfter);
  }
}
