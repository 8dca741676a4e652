import OAuth2Strategy from 'passport-oauth2';
import {
  createGlasshouseClient,
  requestToken,
  type AuthorizationServerMetadata,
  type Person,
  type TokenSet,
} from '../sdk/index.js';
import { PARTNER_SCOPES, type PartnerConfig } from './config.js';

/** Called after a successful code exchange with the person (`GET /api/v1/me`) and their tokens. */
export type OnLogin = (person: Person, tokens: TokenSet) => { id: string; username: string; displayName: string };

/**
 * "Log in with Glasshouse": passport-oauth2 with the authorization code grant, PKCE S256 and a
 * session-held `state`, asking for every partner scope. Two things differ from the stock strategy:
 * - the code is exchanged with `client_secret_basic` (the registered method; the stock `oauth`
 *   module would post the secret in the body), through the SDK, so token errors stay typed
 *   (`GlasshouseTokenError`, reachable as `InternalOAuthError.oauthError`);
 * - the profile is `GET /api/v1/me`.
 */
export class GlasshouseStrategy extends OAuth2Strategy {
  constructor(config: PartnerConfig, metadata: AuthorizationServerMetadata, onLogin: OnLogin) {
    super(
      {
        authorizationURL: metadata.authorization_endpoint,
        tokenURL: metadata.token_endpoint,
        clientID: config.clientId,
        clientSecret: config.clientSecret,
        callbackURL: `${config.publicUrl}/auth/callback`,
        scope: [...PARTNER_SCOPES],
        pkce: true,
        state: true,
      },
      (accessToken: string, refreshToken: string, results: { expires_in?: number; scope?: string }, profile: Person, done: OAuth2Strategy.VerifyCallback) => {
        const tokens: TokenSet = {
          accessToken,
          refreshToken: refreshToken || undefined,
          expiresAt: results.expires_in === undefined ? undefined : Date.now() + results.expires_in * 1000,
          scope: results.scope,
        };
        done(null, onLogin(profile, tokens));
      },
    );
    this.name = 'glasshouse';
    const client = { clientId: config.clientId, clientSecret: config.clientSecret };
    this._oauth2.getOAuthAccessToken = ((code: string, params: Record<string, string>, callback: (err: unknown, a?: string, r?: string, raw?: unknown) => void) => {
      requestToken(metadata.token_endpoint, client, { ...params, code }).then(
        (t) => callback(null, t.accessToken, t.refreshToken ?? '', t.raw),
        (err: unknown) => callback(err),
      );
    }) as typeof this._oauth2.getOAuthAccessToken;
    this.userProfile = (accessToken, done) => {
      createGlasshouseClient({ baseUrl: config.platformUrl, accessToken })
        .me()
        .then((person) => done(null, person), done);
    };
  }
}
