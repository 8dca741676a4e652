/**
 * Row ids the code derives from a row's fields, so it can look a row up without an index: each is
 * checked at load (references.ts), since a row filed under another id would be found by one reader
 * and missed by another.
 */

/** Sorted pair id: a friendship (`personIds`) or a read mark (`personId`, `threadId`). */
export function pairKey(a: string, b: string): string {
  return [a, b].sort().join('~');
}

/** Row id of an authorization: `${personId}~${clientId}`. */
export function authorizationId(personId: string, clientId: string): string {
  return `${personId}~${clientId}`;
}
