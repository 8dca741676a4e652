/**
 * A local path to return to after a login or unlock form; anything else (absolute URLs, `//host`,
 * `/\host`) becomes `/`, so no form can redirect off the site (an open redirect).
 */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')
    ? value
    : '/';
}
