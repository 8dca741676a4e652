import { usernameKey } from '../store/text.js';

/**
 * The username a login form means: its key (`usernameKey`: without the spaces around it, e.g. a pasted
 * " alice", in any case). A field given twice or not at all means nobody (''). The login itself and
 * its throttle both key on it, so an attempt written differently is still the same attempt.
 */
export function loginName(typed: unknown): string {
  return typeof typed === 'string' ? usernameKey(typed) : '';
}
