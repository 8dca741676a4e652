/**
 * The platform's one notion of "now" (README "Time, faults and expiry for testers"). Every reader
 * of time on the platform — codes, tokens, sessions (through the oidc-provider store adapter),
 * access-log entries, notices and their "… ago" texts, the monitor, rate limits — asks the clock it
 * was built with, never `Date.now()` directly.
 */
export interface Clock {
  /** ms since epoch. */
  now(): number;
}

/** A clock a tester can move forward: the wall clock plus an offset that only grows (until `reset`). */
export interface ControllableClock extends Clock {
  readonly controllable: true;
  /** How far ahead of the wall clock this clock is, in ms. */
  readonly offsetMs: number;
  /** Moves the clock forward by `ms` (an integer > 0); returns the new `now()`. @throws RangeError otherwise */
  advance(ms: number): number;
  /** Back to the wall clock (offset 0). */
  reset(): void;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that runs with `wall` and can be advanced (sandboxes, `CONTROLLABLE_CLOCK=true`). */
export function controllableClock(wall: () => number = Date.now): ControllableClock {
  let offsetMs = 0;
  return {
    controllable: true,
    get offsetMs() {
      return offsetMs;
    },
    now: () => wall() + offsetMs,
    advance(ms) {
      // Every time on the platform is whole milliseconds (ids and cursors are stamped with them).
      if (!Number.isSafeInteger(ms) || ms <= 0)
        throw new RangeError('A clock moves forward by whole milliseconds: ms must be an integer > 0');
      offsetMs += ms;
      return wall() + offsetMs;
    },
    reset() {
      offsetMs = 0;
    },
  };
}

/** Whether `clock` can be advanced. */
export function isControllable(clock: Clock): clock is ControllableClock {
  return (clock as Partial<ControllableClock>).controllable === true;
}
