/**
 * The contract between the authorization server (oauth/) and its users: the resource server
 * (messaging/), the partner socket, the admin API. Implemented in oauth/ by oidc-provider.
 */

/** What a valid access token stands for (RFC 7662 §2.2 terms). */
export interface AccessTokenInfo {
  clientId: string;
  /** The resource owner (`sub`). */
  personId: string;
  scopes: string[];
  grantId: string;
  /** ms since epoch. */
  expiresAt: number;
  /** RFC 9449 `cnf.jkt`: the token is DPoP-bound to the key with this JWK thumbprint. */
  jkt?: string;
  /** SHA-256 of the token (`tokenKeyOf`): rate-limit and fault key, computed once per token. */
  tokenKey: string;
}

/** How a request presents its access token (RFC 6750 §2.1 `Bearer` or RFC 9449 §7.1 `DPoP`). */
export interface TokenPresentation {
  scheme: 'Bearer' | 'DPoP';
  token: string;
  /** The DPoP proof JWT (`DPoP` header, or `auth.dpop` on the partner socket). */
  proof?: unknown;
  /** The request's method and path (query ignored): the proof's `htm` and `htu`. */
  method: string;
  path: string;
}

/** RFC 6749 §5.1 token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  /** seconds */
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/**
 * Which tokens an admin ends at once: one token (access or refresh, by value), the tokens of one
 * grant, or those of every grant of a client.
 */
export type TokenTarget = { token: string } | { grantId: string } | { clientId: string };

export interface TokenService {
  /**
   * Resolves a bearer token. @throws InvalidTokenError when missing, unknown, expired, revoked, of
   * another audience, or of a client that is shut down.
   */
  verify(accessToken: string): Promise<AccessTokenInfo>;
  /**
   * Authenticates a request's token as presented (README "OAuth 2.0": DPoP): `verify()`, then a
   * DPoP-bound token needs the `DPoP` scheme and a valid proof of its key (RFC 9449 §7.1, §4.3), a
   * bound token sent as `Bearer` is refused, and an expired token too.
   * @throws InvalidTokenError, InvalidDpopProofError (both 401).
   */
  authenticate(presented: TokenPresentation): Promise<AccessTokenInfo>;
  /**
   * Issues tokens as if `personId` had consented to `scopes` for `clientId` (admin API, sandboxes);
   * the access token lives `expiresIn` seconds (default one hour).
   */
  issue(input: {
    personId: string;
    clientId: string;
    scopes: string[];
    expiresIn?: number | undefined;
  }): Promise<TokenResponse>;
  /**
   * Lets time run out now for `target`, as if its lifetime had passed on the platform clock: one
   * token; or a grant's (or client's) access tokens, their refresh tokens left working (so a
   * partner's refresh can be tested). Resolves to the number of tokens expired.
   */
  expire(target: TokenTarget): Promise<number>;
  /**
   * Revokes `target` now: one token (only it, unlike RFC 7009 §2.1's cascade); or the grant (every
   * grant of the client) with every code and token issued under it. Resolves to the number of
   * tokens (or, for grants, grants) revoked.
   */
  revoke(target: TokenTarget): Promise<number>;
  /** Revokes a grant and every token issued under it (RFC 7009 spirit). */
  revokeGrant(grantId: string): Promise<void>;
  /**
   * Narrows a grant to `keep` (scopes outside it are withdrawn at once: tokens already issued lose
   * them too). Returns the scopes left. @throws NotFoundError when the grant is gone.
   */
  narrowGrant(grantId: string, keep: string[]): Promise<string[]>;
  /**
   * Narrows several grants as one unit (a client's grants, "reduce to what it used"): all or none.
   * Resolves to the scopes left, per item. @throws NotFoundError when a grant is gone: nothing changed.
   */
  narrowGrants(items: readonly { grantId: string; keep: readonly string[] }[]): Promise<string[][]>;
  /**
   * Is this access token, verified before, still issued (not revoked, not expired, its client not
   * shut down)? In memory, no adapter lookup: for checks on every delivery (scopes withdrawn since
   * come as `grant.narrowed` events).
   */
  isLive(accessToken: string): boolean;
  /**
   * The scopes of an access token verified before, as they are now (narrowings applied), without a
   * lookup; undefined when it is not at hand (then `verify`). Check `isLive` first.
   */
  scopesNow(accessToken: string): readonly string[] | undefined;
}
