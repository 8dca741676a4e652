import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { z } from 'zod';

/**
 * The authorization server's keys as the `settings` row holds them (oauth/keys.ts makes them; a
 * person may edit them): checked at start, so that what oidc-provider is given cannot make it throw
 * at start, nor sign what nobody can verify, nor sign cookies with a guessable secret.
 */

/** Shortest cookie key accepted (characters): oauth/keys.ts makes 43 (32 random bytes, base64url). */
export const COOKIE_KEY_MIN_LENGTH = 32;

/** Signed with a key under check, then verified with its public part. */
const PROBE = Buffer.from('glasshouse signing key check');

/**
 * Why node:crypto cannot sign ES256 with `jwk` and verify that signature with its public part (`x`,
 * `y`), or undefined when it can. Node does the math: it imports the key, signs and verifies.
 */
function signingProblem(jwk: { kty: string; crv: string; x: string; y: string; d: string }): string | undefined {
  const { kty, crv, x, y } = jwk;
  try {
    const signature = sign('sha256', PROBE, createPrivateKey({ key: jwk, format: 'jwk' }));
    const publicKey = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
    return verify('sha256', PROBE, publicKey, signature) ? undefined : 'its d is not the private key of its x and y';
  } catch (err) {
    return `not a private key node:crypto can import (${(err as Error).message})`;
  }
}

/** One private signing key: an EC P-256 private JWK (ES256), as oauth/keys.ts generates it. */
export const signingJwkSchema = z
  .strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    d: z.string(),
    kid: z.string().min(1).optional(),
    alg: z.literal('ES256').optional(),
    use: z.literal('sig').optional(),
  })
  .check((ctx) => {
    const problem = signingProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });

/** The signing keys (JWKS, private), newest first; no two share a `kid` (oidc-provider refuses that). */
export const providerJwksSchema = z.strictObject({
  keys: z.array(signingJwkSchema).check((ctx) => {
    const kids = ctx.value.flatMap((k) => (k.kid === undefined ? [] : [k.kid]));
    const twice = kids.find((kid, i) => kids.indexOf(kid) !== i);
    if (twice !== undefined)
      ctx.issues.push({ code: 'custom', message: `two keys have the kid "${twice}"`, input: ctx.value });
  }),
});

/** Secrets that sign the provider's cookies (newest first, Keygrip order). */
export const cookieKeysSchema = z.array(
  z.string().min(COOKIE_KEY_MIN_LENGTH, `must be at least ${COOKIE_KEY_MIN_LENGTH} characters (a random secret)`),
);

export type SigningJwk = z.infer<typeof signingJwkSchema>;
export type ProviderJwks = z.infer<typeof providerJwksSchema>;
