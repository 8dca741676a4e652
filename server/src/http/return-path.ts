/** Longest path kept to return to (characters): longer is `/`, so a visitor cannot park 16 kB in a session. */
export const RETURN_PATH_MAX = 2_048;

/**
 * A local path to return to after a login or unlock form; anything else (absolute URLs, `//host`,
 * `/\host`, a path over `RETURN_PATH_MAX`) becomes `/`, so no form can redirect off the site (an open
 * redirect), nor keep more than a page address in the session.
 */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' &&
    value.length <= RETURN_PATH_MAX &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/\\')
    ? value
    : '/';
}
