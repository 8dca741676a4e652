import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of a presented admin token with the configured one (hash first: equal lengths). */
export function isAdminToken(presented: unknown, adminToken: string): boolean {
  if (typeof presented !== 'string' || presented === '') return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(adminToken).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), if any. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header ?? '');
  return match?.[1];
}
