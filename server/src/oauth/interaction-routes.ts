import express, { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import { BadRequestError, ForbiddenError } from '../errors.js';
import type { EventBus } from '../events.js';
import { pathParam } from '../http/params.js';
import type { Client } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Renderer } from '../web/render.js';
import type { Authorizations } from './authorizations.js';
import type { ClientRegistry } from './client-registry.js';
import { consentView } from './consent-view.js';
import { splitScope } from './scopes.js';
import { formBody } from '../http/form-body.js';

export interface InteractionRoutesDeps {
  provider: Provider;
  store: Store;
  clients: ClientRegistry;
  authorizations: Authorizations;
  events: EventBus;
  now: () => number;
  render: Renderer;
  csrfProtect: express.RequestHandler;
  /** The messaging API resource indicator. */
  audience: string;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * Login and consent for oidc-provider, on the platform's web session:
 * - GET  /interaction/:uid — not logged in → /login?returnTo=/interaction/:uid; the `login` prompt is
 *   answered with the web session's person; the `consent` prompt renders the consent page.
 * - POST /interaction/:uid/confirm — CSRF-checked Approve: grants the missing scopes, records the
 *   `authorizations` row, hands back to the provider (which redirects with a code).
 * - POST /interaction/:uid/abort — CSRF-checked Deny: `access_denied` to the client (RFC 6749 §4.1.2.1).
 * An expired or foreign interaction is a 400 page; a shut-down client a 403 page.
 */
export function interactionRoutes(deps: InteractionRoutesDeps): Router {
  const { provider, store, clients, authorizations, events, now, render, csrfProtect, audience } = deps;
  const router = Router();
  const form = formBody('16kb');
  const step = (s: { step: string; clientId?: string; personId?: string; scopes?: string[]; detail?: string }) =>
    events.emit('oauth.step', { at: now(), ...s });

  async function details(req: Request, res: Response): Promise<Details> {
    let found: Details;
    try {
      found = await provider.interactionDetails(req, res);
    } catch (err) {
      if (err instanceof errors.SessionNotFound) {
        throw new BadRequestError('This sign-in request has expired or is already finished: go back to the app and start again');
      }
      throw err;
    }
    if (found.uid !== pathParam(req, 'uid')) throw new BadRequestError('This sign-in request is not the current one: go back to the app and start again');
    return found;
  }

  function activeClient(d: Details): Client {
    const client = clients.get(String(d.params['client_id']));
    if (!client || client.status !== 'active') {
      throw new ForbiddenError(`${client?.name ?? 'This app'} has been shut down and cannot be connected to Glasshouse`, 'client_shut_down');
    }
    return client;
  }

  /** The consent must come from the person the provider authenticated. */
  function samePerson(d: Details, req: Request): string {
    const personId = req.user?.id;
    if (!personId || d.session?.accountId !== personId) {
      throw new ForbiddenError('You are logged in as someone else now: go back to the app and start again', 'person_changed');
    }
    return personId;
  }

  const loginFirst = (res: Response, uid: string) => res.redirect(303, `/login?returnTo=${encodeURIComponent(`/interaction/${uid}`)}`);
  const finish = (req: Request, res: Response, result: InteractionResults, merge = true) =>
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });

  router.get('/interaction/:uid', async (req, res) => {
    const d = await details(req, res);
    if (!req.user) return loginFirst(res, d.uid);
    const client = activeClient(d);
    if (d.prompt.name === 'login') {
      step({ step: 'login', clientId: client.id, personId: req.user.id, detail: 'logged in through the Glasshouse web session' });
      return finish(req, res, { login: { accountId: req.user.id } }, false);
    }
    if (d.prompt.name !== 'consent') throw new BadRequestError(`Unsupported sign-in step "${d.prompt.name}"`);
    const personId = samePerson(d, req);
    const scopes = splitScope(d.params['scope'] as string | undefined);
    const view = consentView(store, { personId, clientId: client.id, appName: client.name, scopes });
    render.page(req, res, 'consent', { title: `Connect ${client.name}`, uid: d.uid, ...view });
  });

  router.post('/interaction/:uid/confirm', ...form, csrfProtect, async (req, res) => {
    const d = await details(req, res);
    if (!req.user) return loginFirst(res, d.uid);
    if (d.prompt.name !== 'consent') throw new BadRequestError('Nothing to consent to in this sign-in request');
    const client = activeClient(d);
    const personId = samePerson(d, req);
    const missing = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    const grant = (d.grantId ? await provider.Grant.find(d.grantId) : undefined) ?? new provider.Grant({ accountId: personId, clientId: client.id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const granted = splitScope(grant.getResourceScope(audience));
    await authorizations.recordGrant({ personId, clientId: client.id, grantId, scopes: granted });
    step({ step: 'consent', clientId: client.id, personId, scopes: granted, detail: 'the person approved' });
    await finish(req, res, { consent: { grantId } });
  });

  router.post('/interaction/:uid/abort', ...form, csrfProtect, async (req, res) => {
    const d = await details(req, res);
    step({ step: 'deny', clientId: String(d.params['client_id']), personId: req.user?.id, detail: 'the person denied the request' });
    await finish(req, res, { error: 'access_denied', error_description: 'The person did not allow access' }, false);
  });
  return router;
}
