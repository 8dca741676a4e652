import { AsyncLocalStorage } from 'node:async_hooks';
import type { Request } from 'express';
import OAuth2Strategy from 'passport-oauth2';
import {
  basicAuthorization,
  createGlasshouseClient,
  GlasshouseTokenError,
  GlasshouseUnreachableError,
  type AuthorizationServerMetadata,
  type DPoPKey,
  type Person,
  type TokenSet,
} from '../sdk/index.js';
import { PARTNER_SCOPES, type PartnerConfig } from './config.js';
import { PendingLoginStore } from './pending-logins.js';

/** Called after a successful code exchange with the person (`GET /api/v1/me`) and their tokens. */
export type OnLogin = (person: Person, tokens: TokenSet) => { id: string; username: string; displayName: string };

/**
 * "Log in with Glasshouse": passport-oauth2 with the authorization code grant, PKCE S256 and
 * `state`, asking for every partner scope, configured through its documented options only:
 * - `store`: `PendingLoginStore`, several pending requests per session (two login tabs both work);
 * - `customHeaders`: the code is exchanged with `client_secret_basic` (RFC 6749 §2.3.1), the
 *   platform's registered method; `clientSecret` is left empty so the secret never goes in the body;
 * - `parseErrorResponse` (public, meant to be overridden): token errors become the SDK's
 *   `GlasshouseTokenError` with the HTTP status and `grantType: 'authorization_code'`;
 * - `userProfile`: the profile is `GET /api/v1/me` through the SDK;
 * - with a `dpop` key (RFC 9449), `authenticate` makes a fresh proof of `POST token_endpoint` for
 *   each callback and the `DPoP` entry of `customHeaders` reads it from that request's async
 *   context (customHeaders are passed as-is to each token request), so the tokens come back bound.
 * The RFC 9207 `iss` of the callback is checked before this strategy runs (see `login.ts`).
 */
export class GlasshouseStrategy extends OAuth2Strategy {
  private readonly config: PartnerConfig;
  private readonly tokenEndpoint: string;
  private readonly dpop: DPoPKey | undefined;
  /** The DPoP proof of the callback being handled. */
  private readonly proofs: AsyncLocalStorage<string>;

  constructor(
    config: PartnerConfig,
    metadata: AuthorizationServerMetadata,
    onLogin: OnLogin,
    now: () => number = Date.now,
    dpop?: DPoPKey,
  ) {
    const proofs = new AsyncLocalStorage<string>();
    const customHeaders: Record<string, string> = {
      Authorization: basicAuthorization({ clientId: config.clientId, clientSecret: config.clientSecret }),
    };
    if (dpop) Object.defineProperty(customHeaders, 'DPoP', { enumerable: true, get: () => proofs.getStore() });
    super(
      {
        authorizationURL: metadata.authorization_endpoint,
        tokenURL: metadata.token_endpoint,
        clientID: config.clientId,
        clientSecret: '',
        customHeaders,
        callbackURL: `${config.publicUrl}/auth/callback`,
        scope: [...PARTNER_SCOPES],
        pkce: true,
        state: true,
        // The typings only know the 2–3 argument stores; passport-oauth2 calls a PKCE store's
        // `store(req, verifier, state, meta, cb)` by its arity (lib/strategy.js).
        store: new PendingLoginStore(now) as unknown as OAuth2Strategy.StateStore,
      },
      (
        accessToken: string,
        refreshToken: string,
        results: { expires_in?: number; scope?: string; token_type?: string },
        profile: Person,
        done: OAuth2Strategy.VerifyCallback,
      ) => {
        const tokens: TokenSet = {
          accessToken,
          refreshToken: refreshToken || undefined,
          expiresAt: results.expires_in === undefined ? undefined : now() + results.expires_in * 1000,
          scope: results.scope,
          tokenType: results.token_type?.toLowerCase(),
        };
        done(null, onLogin(profile, tokens));
      },
    );
    this.name = 'glasshouse';
    this.config = config;
    this.tokenEndpoint = metadata.token_endpoint;
    this.dpop = dpop;
    this.proofs = proofs;
  }

  /** passport's entry point; with DPoP, a callback runs inside the async context of its proof. */
  override authenticate(req: Request, options?: object): void {
    if (!this.dpop || !(req.query as Record<string, unknown>)['code']) return super.authenticate(req, options);
    this.dpop.proof('POST', this.tokenEndpoint).then(
      (proof) => this.proofs.run(proof, () => super.authenticate(req, options)),
      (err: unknown) => this.error(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** RFC 6749 §5.2 error body (or none) of a refused code exchange, as a typed SDK error. */
  override parseErrorResponse(body: string, status: number): Error {
    let parsed: { error?: unknown; error_description?: unknown } = {};
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      // Not JSON (a proxy's HTML page…): the status says it all.
    }
    const error = typeof parsed.error === 'string' ? parsed.error : status >= 500 ? 'server_error' : 'invalid_response';
    const description = typeof parsed.error_description === 'string' ? parsed.error_description : undefined;
    return new GlasshouseTokenError(status, error, description, 'authorization_code');
  }

  /** The person behind a fresh access token: `GET /api/v1/me`. */
  override userProfile(accessToken: string, done: (err?: unknown, profile?: Person) => void): void {
    createGlasshouseClient({ baseUrl: this.config.platformUrl, accessToken, dpop: this.dpop })
      .me()
      .then((person) => done(null, person), done);
  }
}

/**
 * What passport-oauth2 reports when the code exchange failed without an RFC 6749 §5.2 body (an
 * `InternalOAuthError` around the HTTP answer or the network error), as the SDK's error family;
 * anything else unchanged.
 */
export function tokenExchangeError(err: unknown, tokenEndpoint: string): unknown {
  if (!(err instanceof OAuth2Strategy.InternalOAuthError)) return err;
  const cause = err.oauthError as { statusCode?: unknown } | Error | undefined;
  if (cause && typeof cause === 'object' && 'statusCode' in cause && typeof cause.statusCode === 'number') {
    return new GlasshouseTokenError(
      cause.statusCode,
      cause.statusCode >= 500 ? 'server_error' : 'invalid_response',
      undefined,
      'authorization_code',
    );
  }
  return new GlasshouseUnreachableError(tokenEndpoint, { cause });
}
