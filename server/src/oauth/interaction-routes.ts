import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import { BadRequestError, ForbiddenError } from '../errors.js';
import type { EventBus } from '../events.js';
import { pathParam } from '../http/params.js';
import type { Client } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Renderer } from '../web/render.js';
import { passwordOfSignedIn } from '../web/login-throttle.js';
import type { Authorizations } from './authorizations.js';
import type { ClientRegistry } from './client-registry.js';
import { consentView } from './consent-view.js';
import { decideLogin, personOfLoginHint } from './interaction-login.js';
import { verifyPassword } from '../social/passwords.js';
import { approveResourceScopes } from './grant-scopes.js';
import { isApiScope, splitScope } from './scopes.js';
import { formBody } from '../http/form-body.js';
import { isStorageRefusal, type RequestUndo, type Undo } from './request-undo.js';
import { withoutHidden } from '../store/text.js';

export interface InteractionRoutesDeps {
  provider: Provider;
  store: Store;
  clients: ClientRegistry;
  authorizations: Authorizations;
  events: EventBus;
  now: () => number;
  render: Renderer;
  csrfProtect: express.RequestHandler;
  /** Limits failed password confirmations (web/login-throttle.ts; keyed by address and the person logged in). */
  throttle: express.RequestHandler;
  /** The messaging API resource indicator. */
  audience: string;
  /** Collects each request's writes, given back when one is refused (request-undo.ts). */
  undo: RequestUndo;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * Login and consent for oidc-provider, on the platform's web session:
 * - GET  /interaction/:uid — not logged in → /login?returnTo=/interaction/:uid; the `login` prompt is
 *   answered with the web session's person and its real login time, unless `prompt=login`/`max_age`
 *   ask for the password again or `login_hint` names someone else (interaction-login.ts); the
 *   `consent` prompt renders the consent page.
 * - POST /interaction/:uid/login, /switch — the login step's "Continue as …" (password) and "Log in as …".
 * - POST /interaction/:uid/confirm — CSRF-checked Approve: grants the missing scopes, records the
 *   `authorizations` row, hands back to the provider (which redirects with a code).
 * - POST /interaction/:uid/abort — CSRF-checked Deny: `access_denied` to the client (RFC 6749 §4.1.2.1).
 * An expired or foreign interaction is a 400 page; a shut-down client a 403 page.
 */
export function interactionRoutes(deps: InteractionRoutesDeps): Router {
  const { provider, store, clients, authorizations, events, now, render, csrfProtect, throttle, audience, undo } = deps;
  const router = Router();
  // Each interaction request writes in steps (the grant, our record, the interaction): one refused
  // step gives back the ones before it (request-undo.ts), and the error page's "nothing was stored" holds.
  router.use('/interaction', (_req, res, next) => {
    const undos: Undo[] = [];
    res.locals['undos'] = undos;
    void undo.within(undos, async () => next());
  });
  const form = formBody('16kb');
  const step = (s: { step: string; clientId?: string; personId?: string; scopes?: string[]; detail?: string }) =>
    events.emit('oauth.step', { at: now(), ...s });

  async function details(req: Request, res: Response): Promise<Details> {
    let found: Details;
    try {
      found = await provider.interactionDetails(req, res);
    } catch (err) {
      if (err instanceof errors.SessionNotFound) {
        throw new BadRequestError(
          'This sign-in request has expired or is already finished: go back to the app and start again',
        );
      }
      throw err;
    }
    if (found.uid !== pathParam(req, 'uid'))
      throw new BadRequestError('This sign-in request is not the current one: go back to the app and start again');
    return found;
  }

  function activeClient(d: Details): Client {
    const client = clients.get(String(d.params['client_id']));
    if (!client || client.status !== 'active') {
      throw new ForbiddenError(
        `${client?.name ?? 'This app'} has been shut down and cannot be connected to Glasshouse`,
        'client_shut_down',
      );
    }
    return client;
  }

  /** The consent must come from the person the provider authenticated. */
  function samePerson(d: Details, req: Request): string {
    const personId = req.user?.id;
    if (!personId || d.session?.accountId !== personId) {
      throw new ForbiddenError(
        'You are logged in as someone else now: go back to the app and start again',
        'person_changed',
      );
    }
    return personId;
  }

  /** The web login page, back to this interaction afterwards; `username` prefills it (`login_hint`). */
  const requestedScopes = (d: Details) => splitScope(d.params['scope'] as string | undefined);
  const loginFirst = (res: Response, uid: string, hint?: string) => {
    // Prefilled as it shows (`withoutHidden`): `b\u200bob` would read as bob and never log bob in.
    const shown = hint === undefined ? undefined : withoutHidden(hint).trim();
    const username = shown ? (personOfLoginHint(store, shown)?.username ?? shown) : undefined;
    res.redirect(
      303,
      `/login?returnTo=${encodeURIComponent(`/interaction/${uid}`)}${username ? `&username=${encodeURIComponent(username)}` : ''}`,
    );
  };
  const finish = (req: Request, res: Response, result: InteractionResults, merge = true) =>
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });

  /** The login step's page: confirm the password and/or switch account (interaction-login.ts). */
  function loginStepPage(
    req: Request,
    res: Response,
    d: Details,
    client: Client,
    decision: ReturnType<typeof decideLogin>,
    error?: string,
  ) {
    render.page(
      req,
      res,
      'login-confirm',
      {
        title: `Sign in to ${client.name}`,
        uid: d.uid,
        appName: client.name,
        me: req.user,
        hinted: decision.hinted,
        needsPassword: decision.needsPassword,
        error,
      },
      error ? 401 : 200,
    );
  }

  /** Answers the `login` prompt for the web session's person; `ts` is the real login time (auth_time). */
  async function finishLogin(req: Request, res: Response, client: Client, authTimeMs: number, detail: string) {
    step({ step: 'login', clientId: client.id, personId: req.user!.id, detail });
    const ts = authTimeMs > 0 ? Math.floor(authTimeMs / 1000) : undefined;
    await finish(req, res, { login: { accountId: req.user!.id, ...(ts === undefined ? {} : { ts }) } }, false);
  }

  router.get('/interaction/:uid', async (req, res) => {
    const d = await details(req, res);
    if (!req.user) {
      const hint = d.params['login_hint'];
      return loginFirst(res, d.uid, typeof hint === 'string' ? hint : undefined);
    }
    const client = activeClient(d);
    if (d.prompt.name === 'login') {
      const decision = decideLogin(store, req, d, now());
      if (decision.hinted || decision.needsPassword) return loginStepPage(req, res, d, client, decision);
      return finishLogin(req, res, client, decision.authTime, 'logged in through the Glasshouse web session');
    }
    if (d.prompt.name !== 'consent') throw new BadRequestError(`Unsupported sign-in step "${d.prompt.name}"`);
    const personId = samePerson(d, req);
    const grant = d.grantId ? await provider.Grant.find(d.grantId) : undefined;
    const granted = grant
      ? [
          ...new Set([
            ...splitScope(grant.getOIDCScope()).filter((s) => !isApiScope(s)),
            ...splitScope(grant.getResourceScope(audience)),
          ]),
        ]
      : [];
    const view = consentView(store, {
      personId,
      clientId: client.id,
      appName: client.name,
      scopes: requestedScopes(d),
      granted,
      redirectUri: String(d.params['redirect_uri']),
      verified: client.dynamic !== true,
    });
    render.page(req, res, 'consent', { title: `Connect ${client.name}`, uid: d.uid, ...view });
  });

  /** POST /interaction/:uid/login — CSRF-checked "Continue as …", with the password when the app asked for a fresh login. */
  router.post('/interaction/:uid/login', ...form, csrfProtect, passwordOfSignedIn, throttle, async (req, res) => {
    const d = await details(req, res);
    if (!req.user) return loginFirst(res, d.uid);
    if (d.prompt.name !== 'login') throw new BadRequestError('Nothing to log in to in this sign-in request');
    const client = activeClient(d);
    const decision = decideLogin(store, req, d, now());
    if (!decision.needsPassword)
      return finishLogin(req, res, client, decision.authTime, `continued as ${req.user.username}`);
    const person = store.get('people', req.user.id);
    const password = (req.body as { password?: unknown }).password;
    if (!person || typeof password !== 'string' || !(await verifyPassword(password, person.passwordHash))) {
      return loginStepPage(req, res, d, client, decision, 'Wrong password.');
    }
    req.session.authTime = now();
    req.session.passwordInteraction = d.uid;
    return finishLogin(req, res, client, req.session.authTime, 'password confirmed (prompt=login or max_age)');
  });

  /** POST /interaction/:uid/switch — CSRF-checked: logs out of the web session, then the login page for the hinted person. */
  router.post('/interaction/:uid/switch', ...form, csrfProtect, async (req, res, next) => {
    const d = await details(req, res);
    const hint = d.params['login_hint'];
    const sessionId = req.sessionID;
    req.logout((err) => {
      if (err) return next(err);
      // Sockets of the old web session close with it (README "Real time"), as on POST /logout.
      events.emit('session.ended', { sessionId, reason: 'logged_out' });
      loginFirst(res, d.uid, typeof hint === 'string' ? hint : undefined);
    });
  });

  router.post('/interaction/:uid/confirm', ...form, csrfProtect, async (req, res) => {
    const d = await details(req, res);
    if (!req.user) return loginFirst(res, d.uid);
    if (d.prompt.name !== 'consent') throw new BadRequestError('Nothing to consent to in this sign-in request');
    const client = activeClient(d);
    const personId = samePerson(d, req);
    const missing = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    const requested = requestedScopes(d);
    // One at a time with every other grant change (authorizations.ts): the grant extended is the
    // person's current one now, not the one of when this page was shown, so a consent given in two
    // browsers, or after a revocation, leaves one grant that "Remove" reaches.
    const { grantId, granted } = await authorizations.oneAtATime([{ personId, clientId: client.id }], async () => {
      const currentId = authorizations.activeGrantId(personId, client.id);
      const grant =
        (currentId ? await provider.Grant.find(currentId) : undefined) ??
        new provider.Grant({ accountId: personId, clientId: client.id });
      // Exactly what the consent page listed: every requested scope (the client may ask for them all:
      // the provider checked its registered `scope`), whether new, earlier withdrawn or already granted.
      // `profile` is both an OIDC scope (ID token claims) and an API scope: the provider asks for both.
      const oidcScopes = [
        ...new Set([...requested.filter((s) => !isApiScope(s)), ...(missing.missingOIDCScope ?? [])]),
      ];
      if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      approveResourceScopes(grant, audience, requested.filter(isApiScope));
      const grantId = await grant.save();
      const granted = splitScope(grant.getResourceScope(audience));
      await authorizations.recordGrant({ personId, clientId: client.id, grantId, scopes: granted });
      return { grantId, granted };
    });
    await finish(req, res, { consent: { grantId } });
    step({ step: 'consent', clientId: client.id, personId, scopes: granted, detail: 'the person approved' });
  });

  router.post('/interaction/:uid/abort', ...form, csrfProtect, async (req, res) => {
    const d = await details(req, res);
    step({
      step: 'deny',
      clientId: String(d.params['client_id']),
      personId: req.user?.id,
      detail: 'the person denied the request',
    });
    await finish(req, res, { error: 'access_denied', error_description: 'The person did not allow access' }, false);
  });
  router.use(async (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const undos = res.locals['undos'] as Undo[] | undefined;
    if (undos && isStorageRefusal(err)) await undo.giveBack(undos);
    next(err);
  });
  return router;
}
