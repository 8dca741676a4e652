import { randomBytes, scrypt as scryptCb, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  pw: BinaryLike,
  salt: BinaryLike,
  len: number,
  o: ScryptOptions,
) => Promise<Buffer>;

/** scrypt cost parameters (RFC 7914): N=2^14, r=8, p=1 — about 50 ms and 16 MiB per hash. */
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
/** Memory scrypt may use for one check (bytes): node refuses parameters above it. */
const MAX_MEM = 64 * 1024 * 1024;

/**
 * Hashes a password with node's scrypt KDF. Format: `scrypt$N$r$p$<salt b64>$<hash b64>`.
 * `salt` is 16 random bytes unless given (the seed passes fixed salts to stay deterministic).
 */
export async function hashPassword(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  const hash = await scrypt(password, salt, KEY_BYTES, { ...PARAMS, maxmem: MAX_MEM });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The parts of a `hashPassword` string (`scrypt$N$r$p$<salt b64>$<hash b64>`), or undefined when
 * it is not one node's scrypt can check: RFC 7914 §2 (N a power of 2 above 1, r and p at least 1),
 * within MAX_MEM (128·N·r bytes), p at most 16, a salt and a 16–64 byte hash in base64. The data
 * file's schema refuses any other value at start (store/schema.ts).
 */
export function scryptParts(
  stored: string,
): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash, ...more] = stored.split('$');
  const [N, R, P] = [n, r, p].map((x) => (x !== undefined && /^[1-9][0-9]{0,9}$/.test(x) ? Number(x) : NaN));
  if (scheme !== 'scrypt' || more.length > 0 || !salt || !hash || !BASE64.test(salt) || !BASE64.test(hash))
    return undefined;
  if (!(N! >= 2 && (N! & (N! - 1)) === 0 && R! >= 1 && P! >= 1 && P! <= 16 && 128 * N! * R! <= MAX_MEM / 2))
    return undefined;
  const bytes = Buffer.from(hash, 'base64');
  if (bytes.length < 16 || bytes.length > 64) return undefined;
  return { N: N!, r: R!, p: P!, salt: Buffer.from(salt, 'base64'), hash: bytes };
}

/** Constant-time check of `password` against a `hashPassword` string; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = scryptParts(stored);
  if (!parts) return false;
  try {
    const actual = await scrypt(password, parts.salt, parts.hash.length, {
      N: parts.N,
      r: parts.r,
      p: parts.p,
      maxmem: MAX_MEM,
    });
    return timingSafeEqual(parts.hash, actual);
  } catch {
    return false; // parameters scrypt refuses here: no login, never a crash
  }
}
