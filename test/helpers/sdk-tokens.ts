import { discover, exchangeCode, type DPoPKey, type TokenSet } from '../../partners/sdk/index.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { authorizationPath, browseToRedirect, pkcePair } from './oauth-flow.js';
import { loggedInAgent } from './web-session.js';

/**
 * Tokens for `username` through the real code flow, exchanged by the partner SDK as Tunewave would
 * (discovery, PKCE, client secret), with a proof of `dpop` when given (RFC 9449: the tokens are then
 * DPoP-bound). `partnerUrl` is where Tunewave's callback is registered.
 */
export async function sdkTokens(input: {
  platformUrl: string;
  partnerUrl: string;
  username: string;
  scopes: readonly string[];
  dpop?: DPoPKey;
}): Promise<TokenSet> {
  const { verifier, challenge } = pkcePair();
  const redirectUri = `${input.partnerUrl}/auth/callback`;
  const path = authorizationPath({
    clientId: 'tunewave',
    redirectUri,
    scopes: [...input.scopes],
    state: 's',
    challenge,
  });
  const { redirect } = await browseToRedirect({
    url: input.platformUrl,
    agent: await loggedInAgent(input.platformUrl, input.username),
    path,
    redirectUri,
  });
  return exchangeCode(
    await discover(input.platformUrl),
    { clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave },
    { callback: redirect.searchParams, redirectUri, codeVerifier: verifier, expectedState: 's' },
    input.dpop ? { dpop: input.dpop } : {},
  );
}
