import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of a presented admin token with the configured one (hash first: equal lengths). */
export function isAdminToken(presented: unknown, adminToken: string): boolean {
  if (typeof presented !== 'string' || presented === '') return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(adminToken).digest();
  return timingSafeEqual(a, b);
}
