/**
 * The username a login form means: without the spaces around it (a pasted " alice"), in any case
 * (usernames are unique regardless of case, store.personByUsername). A field given twice or not at
 * all means nobody (''). The login itself and its throttle both key on it, so an attempt written
 * differently is still the same attempt.
 */
export function loginName(typed: unknown): string {
  return typeof typed === 'string' ? typed.trim().toLowerCase() : '';
}
