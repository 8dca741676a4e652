import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../errors.js';

/**
 * DPoP proof algorithms (RFC 9449 §5.1 `dpop_signing_alg_values_supported`): the token endpoint
 * (oidc-provider's `enabledJWA.dPoPSigningAlgValues`) and the resource server accept the same list,
 * and `WWW-Authenticate: DPoP algs="…"` names it (§7.1).
 */
export const DPOP_ALGS = ['ES256', 'Ed25519', 'EdDSA'] as const;

/** How far (seconds) a proof's `iat` may be from the server's clock, either way (RFC 9449 §11.1). */
export const DPOP_IAT_WINDOW_SECONDS = 300;

/** RFC 9449 §7.1 `invalid_dpop_proof`: the DPoP proof is missing, malformed, replayed or does not match. */
export class InvalidDpopProofError extends AppError {
  constructor(detail: string) {
    super(401, 'invalid_dpop_proof', detail);
  }
}

export interface DpopProofInput {
  /** The `DPoP` header (or the socket handshake's `auth.dpop`). */
  proof: unknown;
  /** HTTP method the proof must name (`htm`). */
  method: string;
  /** Absolute URL the proof must name (`htu`), compared without query and fragment. */
  url: string;
  /** The access token the proof must hash (`ath`, RFC 9449 §4.3 item 11). */
  accessToken: string;
}

export interface DpopVerifier {
  /**
   * Checks a DPoP proof JWT at the resource server (RFC 9449 §4.3 and §7.1) and returns the JWK
   * SHA-256 thumbprint (RFC 7638) of its key, to be compared with the token's `cnf.jkt`.
   * @throws InvalidDpopProofError (missing, bad signature/typ/alg, htm/htu/ath mismatch, iat outside
   * the window, jti seen before).
   */
  verify(input: DpopProofInput): Promise<string>;
}

/** `htu` comparison: scheme, host, port and path; query and fragment ignored (RFC 9449 §4.3 item 9). */
function sameTarget(htu: unknown, expected: string): boolean {
  if (typeof htu !== 'string' || !URL.canParse(htu)) return false;
  const strip = (u: URL) => `${u.protocol}//${u.host}${u.pathname}`;
  return strip(new URL(htu)) === strip(new URL(expected));
}

/**
 * A DPoP proof verifier with its own `jti` replay cache (RFC 9449 §11.1): a `jti` is remembered per
 * key for twice the `iat` window, then forgotten (a proof that old fails the `iat` check anyway), so
 * the cache holds at most the proofs of the last ten minutes. `now` is ms since epoch on the clock the
 * proofs' `iat` is stamped with: the wall clock (clients stamp it so; the platform clock may run ahead).
 */
export function createDpopVerifier(now: () => number, windowSeconds = DPOP_IAT_WINDOW_SECONDS): DpopVerifier {
  /** `${jkt}:${jti}` → forget after (ms). Insertion order is expiry order. */
  const seen = new Map<string, number>();
  const forgetExpired = (at: number) => {
    for (const [key, until] of seen) {
      if (until > at) break;
      seen.delete(key);
    }
  };

  return {
    async verify({ proof, method, url, accessToken }) {
      if (typeof proof !== 'string' || proof === '')
        throw new InvalidDpopProofError('A DPoP proof is required with a DPoP-bound access token (RFC 9449 §7.1)');
      let payload: JWTPayload;
      let jkt: string;
      try {
        const verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGS] });
        payload = verified.payload;
        jkt = await calculateJwkThumbprint(verified.protectedHeader.jwk!);
      } catch {
        throw new InvalidDpopProofError('The DPoP proof is not a valid dpop+jwt signed by the key in its header');
      }
      const at = now();
      if (typeof payload.jti !== 'string' || payload.jti === '')
        throw new InvalidDpopProofError('The DPoP proof has no jti');
      if (typeof payload.iat !== 'number' || Math.abs(at / 1000 - payload.iat) > windowSeconds) {
        throw new InvalidDpopProofError(`The DPoP proof's iat is not within ${windowSeconds} s of the server time`);
      }
      if (payload['htm'] !== method) throw new InvalidDpopProofError(`The DPoP proof's htm is not ${method}`);
      if (!sameTarget(payload['htu'], url)) throw new InvalidDpopProofError(`The DPoP proof's htu is not ${url}`);
      if (payload['ath'] !== createHash('sha256').update(accessToken).digest('base64url')) {
        throw new InvalidDpopProofError("The DPoP proof's ath does not hash this access token");
      }
      forgetExpired(at);
      const key = `${jkt}:${payload.jti}`;
      if (seen.has(key)) throw new InvalidDpopProofError('This DPoP proof was used before (jti replay)');
      seen.set(key, at + 2 * windowSeconds * 1000);
      return jkt;
    },
  };
}
