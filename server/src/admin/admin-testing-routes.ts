import { z } from 'zod';
import { isControllable, type Clock } from '../clock/clock.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { faultRequestSchema, faultSchema } from '../faults/fault-schema.js';
import type { Store } from '../store/store.js';
import { defineAdminRoute, type AnyAdminRoute } from './admin-route.js';
import { advanceBodySchema, clockSchema } from './admin-schemas.js';
import { knownClient } from './admin-world-routes.js';

/** The tester's controls of time and failure (README "Time, faults and expiry for testers"). */
export function adminTestingRoutes({
  store,
  events,
  clock,
  faults,
}: {
  store: Store;
  events: EventBus;
  clock: Clock;
  faults: FaultInjector;
}): AnyAdminRoute[] {
  const clockOut = () => ({
    now: clock.now(),
    offsetMs: isControllable(clock) ? clock.offsetMs : 0,
    controllable: isControllable(clock),
  });
  return [
    defineAdminRoute({
      method: 'get',
      path: '/clock',
      operationId: 'getClock',
      summary: 'Read the platform clock',
      description: 'What every part of the platform takes as now, and whether it can be advanced.',
      success: { status: 200, description: 'The clock', schema: clockSchema },
      errors: [],
      handle: clockOut,
    }),
    defineAdminRoute({
      method: 'post',
      path: '/clock/advance',
      operationId: 'advanceClock',
      summary: 'Advance the platform clock',
      description:
        'Moves time forward for codes, tokens, sessions, rate-limit windows, fault durations, notices and "… ago" texts; partner sockets whose token is now expired close. Only on a platform built with a controllable clock (every sandbox; `CONTROLLABLE_CLOCK=true`). A reset brings the wall clock back.',
      body: advanceBodySchema,
      success: { status: 200, description: 'The clock after the move', schema: clockSchema },
      errors: [
        {
          status: 409,
          description: '`conflict`: this platform runs on the wall clock (start it with CONTROLLABLE_CLOCK=true)',
        },
      ],
      handle({ body }) {
        if (!isControllable(clock))
          throw new ConflictError(
            'This platform runs on the wall clock; start it with CONTROLLABLE_CLOCK=true to advance time',
          );
        const now = clock.advance(body.seconds * 1000);
        events.emit('clock.advanced', { now, offsetMs: clock.offsetMs });
        return clockOut();
      },
    }),
    defineAdminRoute({
      method: 'post',
      path: '/faults',
      operationId: 'injectFault',
      summary: 'Inject a fault',
      description:
        "For one client's (or one token's) calls: answer a status (429/503 with Retry-After), add latency, drop its sockets, or refuse its refresh; for the next `times` calls and/or `seconds`. Shown on the monitor and in the access log (`injected`); cleared by a reset.",
      body: faultRequestSchema,
      success: { status: 200, description: 'The fault now in force', schema: faultSchema },
      errors: [{ status: 404, description: 'Unknown client, or no such access or refresh token' }],
      handle({ body }) {
        if (body.clientId) knownClient(store, body.clientId);
        // A fault for a token nobody holds would never fire: say so, as for an unknown client.
        if (body.token && !['AccessToken', 'RefreshToken'].some((m) => store.get('oidc', `${m}:${body.token}`)))
          throw new NotFoundError('No such access or refresh token');
        return faults.add(body);
      },
    }),
    defineAdminRoute({
      method: 'get',
      path: '/faults',
      operationId: 'listFaults',
      summary: 'Faults in force',
      description: 'Injected faults not yet used up or timed out.',
      success: { status: 200, description: 'Faults', schema: z.object({ faults: z.array(faultSchema) }) },
      errors: [],
      handle: () => ({ faults: faults.list() }),
    }),
    defineAdminRoute({
      method: 'delete',
      path: '/faults',
      operationId: 'clearFaults',
      summary: 'Clear every fault',
      description: 'Ends every injected fault now (a reset does too).',
      success: { status: 204, description: 'Cleared' },
      errors: [],
      handle: () => faults.clear(),
    }),
  ];
}
