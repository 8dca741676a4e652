import { errors, type ErrorOut, type KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { STORE_RETRY_AFTER_SECONDS, StoreWriteError } from '../store/store-errors.js';
import type { DpopReplayRefusals } from './dpop-replay.js';
import type { RequestUndo, Undo } from './request-undo.js';

/**
 * A write of the authorization server that the store refused (README "Data and storage": disk full,
 * I/O error; nothing of it was stored), as oidc-provider's own error type, so that every endpoint it
 * serves answers it like its other errors rather than as `500 server_error`: `503` with the RFC 6749
 * body `{"error":"temporarily_unavailable","error_description":…}` — the code RFC 6749 §4.1.2.1 defines
 * for "temporarily unable to handle the request"; §5.2 has no such code, and `server_error` would say
 * the request itself broke something. Never redirected to the client (`allow_redirect` false): the
 * browser gets the platform's error page (`renderError`). `cause` is the StoreWriteError, so an
 * express route of ours that calls the provider (interaction routes, token service) still answers
 * `storage_unavailable` problem details (http/problem.ts `toAppError`).
 */
export class OAuthStorageUnavailable extends errors.TemporarilyUnavailable {
  override name = 'OAuthStorageUnavailable';
  /** `Retry-After` (RFC 9110 §10.2.3), the store's own. */
  readonly retryAfterSeconds: number;
  constructor(cause: StoreWriteError) {
    super(cause.detail, { cause });
    this.status = this.statusCode = cause.status;
    this.expose = true; // the description is public (StoreWriteError's `detail`)
    this.allow_redirect = false;
    this.retryAfterSeconds = cause.retryAfterSeconds;
  }
}

/**
 * Runs one write of the provider's storage adapter (store-adapter.ts).
 * @throws OAuthStorageUnavailable when the store refused it (StoreWriteError); other errors unchanged.
 */
export async function providerWrite<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw err instanceof StoreWriteError ? new OAuthStorageUnavailable(err) : err;
  }
}

type KoaMiddleware = Parameters<Provider['use']>[0];

/**
 * Koa middleware for `provider.use()`, registered first (outermost): every refused write of the
 * provider's endpoints (README "Log in with Glasshouse"; /auth, /token, /token/revocation, /reg,
 * /request, /session/end/confirm…) answers `503` with `Retry-After`.
 * - Inside an endpoint, oidc-provider's error handler (lib/shared/error_handler.js,
 *   authorization_error_handler.js) serialises OAuthStorageUnavailable itself: JSON, or
 *   `renderError`'s page for a browser.
 * - The provider session is saved *after* that handler (`ensureSessionSave` in
 *   lib/helpers/initialize_app.js), so its refusal escapes to Koa, which would answer
 *   `text/plain` and print it as an unhandled error: it is answered here instead, the way the
 *   error handler would (the headers of the unsaved response dropped, as Koa does), with the
 *   browser page on the authorization endpoint and for `Accept: text/html`.
 * oidc-provider's own errors are 4xx or 500 (lib/helpers/errors.js): a 503 is always this refusal.
 * A refused request then gives back what it wrote before the refusal (request-undo.ts: a consumed
 * code, a token, a deleted interaction, a registered client), and sets no cookie: nothing was stored.
 * So does a token request refused for a replayed DPoP proof (`dpopReplays`, dpop-replay.ts).
 */
export function storageRefusals(
  renderError: (ctx: KoaContextWithOIDC, out: ErrorOut) => void,
  undo: RequestUndo,
  dpopReplays: DpopReplayRefusals,
): KoaMiddleware {
  return async (koaCtx, next) => {
    const ctx = koaCtx as unknown as KoaContextWithOIDC;
    const undos: Undo[] = [];
    try {
      await undo.within(undos, next);
    } catch (err) {
      if (!(err instanceof OAuthStorageUnavailable)) throw err;
      for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name);
      ctx.status = err.statusCode;
      ctx.set('Cache-Control', 'no-store');
      const out: ErrorOut = { error: err.error, error_description: err.error_description ?? '' };
      const route = ctx.oidc?.route;
      const browser = route === 'authorization' || route === 'resume' || ctx.accepts('json', 'html') === 'html';
      if (browser) renderError(ctx, out);
      else ctx.body = out;
    }
    // A token request refused for a replayed DPoP proof stores nothing either (dpop-replay.ts).
    if (dpopReplays.refused(ctx)) {
      await undo.giveBack(undos);
      return dpopReplays.answer(ctx);
    }
    if (ctx.status !== 503) return;
    await undo.giveBack(undos);
    // Refused inside an endpoint, its error handler answered with the cookies set before the refusal
    // (the resume cookie cleared, a new session's): the browser keeps its own.
    ctx.res.removeHeader('Set-Cookie');
    ctx.set('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
  };
}
