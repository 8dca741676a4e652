import type { EventEmitter } from 'node:events';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { DomainEvents, EventBus } from '../events.js';
import type { Authorizations } from './authorizations.js';
import { splitScope } from './scopes.js';

type Step = DomainEvents['oauth.step'];
type OAuthError = { error?: string; error_description?: string };

/** `refused: invalid_grant (authorization code already consumed)`: public error text, never a token. */
function refused(err: OAuthError): string {
  return `refused: ${err.error ?? 'server_error'}${err.error_description ? ` (${err.error_description})` : ''}`;
}

/**
 * The client id a token request names, even when the client is refused (unknown or shut down, so
 * `ctx.oidc.client` is unset): the `client_id` parameter or the HTTP Basic user name, which RFC 6749
 * §2.3.1 form-urlencodes. Only for the monitor's arrows; never trusted for anything else.
 */
function claimedClientId(ctx: KoaContextWithOIDC): string | undefined {
  const param = ctx.oidc.params?.['client_id'];
  if (typeof param === 'string' && param) return param;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(ctx.get('authorization'));
  const user = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] : undefined;
  try {
    return user ? decodeURIComponent(user.replace(/\+/g, '%20')) : undefined;
  } catch {
    return undefined;
  }
}

/** The token entity a request worked on (oidc-provider's `ctx.oidc.entities`), for who and which scopes. */
function tokenEntity(ctx: KoaContextWithOIDC): { accountId?: string; scope?: string; kind?: string } | undefined {
  const e = ctx.oidc.entities;
  return e.AccessToken ?? e.RefreshToken ?? e.AuthorizationCode;
}

/**
 * Turns oidc-provider's events into `oauth.step` events on the platform bus (authorize, code, token,
 * refresh, revoke, introspect, register; login/consent/deny come from the interaction routes), and
 * keeps `authorizations` in step when the provider revokes a grant (code replay, revocation).
 * Payloads carry ids and scopes, never token values. Returns a function that detaches the listeners.
 */
export function bridgeProviderEvents(deps: {
  provider: Provider;
  events: EventBus;
  authorizations: Authorizations;
  logger: Logger;
  now: () => number;
}): () => void {
  const { provider, events, authorizations, logger, now } = deps;
  const step = (s: Omit<Step, 'at'>) => events.emit('oauth.step', { at: now(), ...s });
  const who = (ctx: KoaContextWithOIDC) => ({
    clientId: ctx.oidc.client?.clientId,
    personId: ctx.oidc.session?.accountId,
  });
  const isRefresh = (ctx: KoaContextWithOIDC) => ctx.oidc.params?.['grant_type'] === 'refresh_token';

  const emitter = provider as unknown as EventEmitter;
  const detach: (() => void)[] = [];
  const on = <A extends unknown[]>(name: string, fn: (...args: A) => void) => {
    const listener = fn as (...args: unknown[]) => void;
    emitter.on(name, listener);
    detach.push(() => emitter.off(name, listener));
  };
  /** An `authorize` step with the scopes asked for, for requests at the authorization endpoint only. */
  const authorizeStep = (detail: string) => (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc.route !== 'authorization') return;
    step({
      step: 'authorize',
      ...who(ctx),
      scopes: splitScope(ctx.oidc.params?.['scope'] as string | undefined),
      detail,
    });
  };
  const listeners: [string, (...args: never[]) => void][] = [
    ['interaction.started', authorizeStep('the person is asked to log in or consent')],
    ['authorization.accepted', authorizeStep('already consented: no interaction')],
    [
      'authorization.error',
      (ctx: KoaContextWithOIDC, err: OAuthError) => {
        step({ step: 'authorize', ...who(ctx), detail: refused(err) });
      },
    ],
    [
      'authorization.success',
      (ctx: KoaContextWithOIDC) => {
        const code = ctx.oidc.entities.AuthorizationCode;
        step({
          step: 'code',
          ...who(ctx),
          scopes: splitScope(code?.scope),
          detail: `code sent to ${String(ctx.oidc.params?.['redirect_uri'])}`,
        });
      },
    ],
    [
      'grant.success',
      (ctx: KoaContextWithOIDC) => {
        const at = ctx.oidc.entities.AccessToken;
        const detail = isRefresh(ctx)
          ? 'refresh token rotated, new access token'
          : `code exchanged for an access token${ctx.oidc.entities.RefreshToken ? ' and a refresh token' : ''}`;
        step({
          step: isRefresh(ctx) ? 'refresh' : 'token',
          clientId: ctx.oidc.client?.clientId,
          personId: at?.accountId,
          scopes: splitScope(at?.scope),
          detail,
        });
      },
    ],
    [
      'grant.error',
      (ctx: KoaContextWithOIDC, err: OAuthError) => {
        step({
          step: isRefresh(ctx) ? 'refresh' : 'token',
          clientId: ctx.oidc.client?.clientId ?? claimedClientId(ctx),
          detail: refused(err),
        });
      },
    ],
    [
      'grant.revoked',
      (ctx: KoaContextWithOIDC, grantId: string) => {
        // In turn with the platform's own changes of this grant (a consent, a mint in flight).
        authorizations
          .oneAtATime([{ grantId }], () => authorizations.markRevoked(grantId))
          .then((row) => {
            if (row) authorizations.announceRevoked(row);
            step({
              step: 'revoke',
              clientId: row?.clientId ?? ctx.oidc.client?.clientId,
              personId: row?.personId,
              detail: `grant and all its tokens revoked (${ctx.oidc.route})`,
            });
          })
          .catch((err: unknown) => logger.error({ err }, 'could not record a revoked grant'));
      },
    ],
    [
      'registration_create.success',
      (ctx: KoaContextWithOIDC) => {
        step({ step: 'register', clientId: ctx.oidc.client?.clientId, detail: 'client registered (RFC 7591)' });
      },
    ],
    [
      'server_error',
      (ctx: KoaContextWithOIDC, err: Error) => {
        logger.error({ err, route: ctx.oidc?.route }, 'authorization server error');
      },
    ],
  ];
  for (const [name, fn] of listeners) on(name, fn);

  // Revocation and introspection have no success event: observe the finished request instead.
  provider.use(async (ctx, next) => {
    await next();
    const route = (ctx as KoaContextWithOIDC).oidc?.route;
    if (ctx.status !== 200 || (route !== 'revocation' && route !== 'introspection')) return;
    const oidcCtx = ctx as KoaContextWithOIDC;
    const token = tokenEntity(oidcCtx);
    const base = {
      clientId: oidcCtx.oidc.client?.clientId,
      personId: token?.accountId,
      scopes: splitScope(token?.scope),
    };
    if (route === 'revocation')
      step({
        step: 'revoke',
        ...base,
        detail: token ? `${token.kind} revoked (RFC 7009)` : 'unknown token: nothing revoked',
      });
    else
      step({
        step: 'introspect',
        ...base,
        detail: `active: ${String((ctx.body as { active?: boolean } | undefined)?.active)}`,
      });
  });

  return () => {
    for (const off of detach) off();
  };
}
