import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';

/** The JWS algorithm of the SDK's DPoP keys (RFC 9449 §5.1; the platform lists what it accepts). */
export const DPOP_ALG = 'ES256';

/**
 * A DPoP key (RFC 9449): tokens obtained with it are bound to it (`cnf.jkt`) and are usable only
 * with a fresh proof signed by it. One key per client process is enough; keep it as long as the
 * tokens. Made lazily (WebCrypto key generation is asynchronous), so it can be created anywhere.
 */
export interface DPoPKey {
  /** oauth4webapi's handle, for the token and API requests it makes. */
  handle(): Promise<oauth.DPoPHandle>;
  /**
   * A proof JWT for one request (RFC 9449 §4.2): `htm`, `htu` (without query), `iat`, a fresh
   * `jti`, and `ath` when `accessToken` is given. For requests oauth4webapi does not make: the
   * `/partners` socket handshake, a token request made by another library.
   */
  proof(htm: string, htu: string, accessToken?: string): Promise<string>;
}

/**
 * A DPoP key over `keyPair` (ES256, its public key extractable), or a new ES256 key pair.
 * @example const dpop = createDPoPKey(); createGlasshouseClient({ baseUrl, accessToken, dpop });
 */
export function createDPoPKey(keyPair?: CryptoKeyPair): DPoPKey {
  let keys: Promise<CryptoKeyPair> | undefined;
  let handle: Promise<oauth.DPoPHandle> | undefined;
  let jwk: Promise<Awaited<ReturnType<typeof exportJWK>>> | undefined;
  const pair = () => (keys ??= keyPair ? Promise.resolve(keyPair) : oauth.generateKeyPair(DPOP_ALG));
  return {
    handle: () => (handle ??= pair().then((k) => oauth.DPoP({}, k))),
    async proof(htm, htu, accessToken) {
      const { privateKey, publicKey } = await pair();
      jwk ??= exportJWK(publicKey);
      const url = new URL(htu);
      return new SignJWT({
        htm: htm.toUpperCase(),
        htu: `${url.origin}${url.pathname}`,
        jti: randomUUID(),
        ...(accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {}),
      })
        .setProtectedHeader({ alg: DPOP_ALG, typ: 'dpop+jwt', jwk: await jwk })
        .setIssuedAt()
        .sign(privateKey);
    },
  };
}
