import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** oidc-provider's `error_detail` for a DPoP proof whose `jti` it has seen (lib/helpers/validate_dpop.js). */
const REPLAY_DETAIL = 'DPoP proof JWT Replay detected';

/**
 * Token requests refused for a replayed DPoP proof (RFC 9449 §11.1). oidc-provider checks the proof's
 * `jti` only when it issues the tokens, after it consumed the code or rotated the refresh token: a
 * replayed proof used up the code (or the refresh token), and the client's retry with a fresh proof
 * was then taken for a replay of the code itself (RFC 9700 §4.5.3: the whole grant revoked).
 * `refused(ctx)` tells `storageRefusals` (storage-refusal.ts) to give back what such a request wrote,
 * and `answer(ctx)` makes its answer the one RFC 9449 §5 names: 400 `invalid_dpop_proof`.
 */
export function dpopReplayRefusals(provider: Provider) {
  const refused = new WeakSet<object>();
  provider.on('grant.error', (ctx: KoaContextWithOIDC, err: { error_detail?: string }) => {
    if (err.error_detail === REPLAY_DETAIL) refused.add(ctx);
  });
  return {
    refused: (ctx: KoaContextWithOIDC) => refused.has(ctx),
    answer(ctx: KoaContextWithOIDC): void {
      ctx.status = 400;
      ctx.body = { error: 'invalid_dpop_proof', error_description: REPLAY_DETAIL };
    },
  };
}

export type DpopReplayRefusals = ReturnType<typeof dpopReplayRefusals>;
