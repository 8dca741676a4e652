import express, { Router } from 'express';
import { NotFoundError } from '../errors.js';
import { pathParam } from '../http/params.js';
import type { Store } from '../store/store.js';
import type { Renderer } from '../web/render.js';
import { requireLogin } from '../web/require-login.js';
import type { Authorizations } from './authorizations.js';
import type { ClientRegistry } from './client-registry.js';
import { describeScope } from './scopes.js';
import { grantUsage } from '../audit/granted-vs-used.js';
import { accessTotals, totalId } from '../audit/access-totals.js';
import { formBody } from '../http/form-body.js';
import type { DeletionRequests } from '../retention/deletion-requests.js';
import { describeRetained, retainedBy } from '../retention/retained.js';
import type { Authorization } from '../store/schema.js';

/** What the person is told about the copy a client may keep, and the latest deletion request. */
function retention(store: Store, a: Authorization, name: string) {
  const retained = retainedBy(store, a.clientId, a.personId);
  const what = describeRetained(retained);
  const shutDown = store.client(a.clientId)?.status === 'shut_down';
  const ended = a.revokedAt !== undefined ? 'before you removed it' : shutDown ? 'before it was shut down' : 'so far';
  const last = a.deletionRequests?.at(-1);
  // A deletion the app confirmed after its last access covers everything it read (as far as anyone can tell).
  const confirmed = last?.outcome === 'deleted' && last.at >= (lastUsed(store, a.clientId, a.personId) ?? 0);
  return {
    retainedText: retained.messages
      ? `${name} read ${what} ${ended}${confirmed ? '.' : '; it may still have them.'}`
      : undefined,
    canRequestDeletion: retained.messages > 0 || a.deletionRequests !== undefined,
    lastDeletion: last && {
      outcome: last.outcome,
      text:
        last.outcome === 'deleted'
          ? `${formatTime(last.at)}: ${name} says it deleted ${last.messagesDeleted} ${last.messagesDeleted === 1 ? 'message' : 'messages'}. Glasshouse cannot check this.`
          : `${formatTime(last.at)}: the request failed: ${last.detail}.`,
    },
  };
}

/** `2026-01-05 09:00 UTC` from ms since epoch. */
export function formatTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Latest access time (ms) of `clientId` with `ownerId`'s token, if any (whole history, README "Retention"). */
function lastUsed(store: Store, clientId: string, ownerId: string): number | undefined {
  return accessTotals(store).get(totalId.grant(clientId, ownerId))?.lastAt;
}

/**
 * "Apps and websites" (login required):
 * - GET  /settings/apps — each app the person connected: scopes in plain words, when granted, last
 *   used (from the access log), and apps removed earlier.
 * - POST /settings/apps/:clientId/revoke — CSRF-checked: revokes the grant and every token of it.
 * - POST /settings/apps/:clientId/deletion-request — CSRF-checked: asks the app to delete what it
 *   kept about the person (README, "Retained copies and deletion requests"); 404 if never authorized.
 */
export function appsRoutes(deps: {
  store: Store;
  /** Stored and built-in clients (the API docs page is not stored). */
  clients: ClientRegistry;
  authorizations: Authorizations;
  render: Renderer;
  csrfProtect: express.RequestHandler;
  revokeGrant(grantId: string): Promise<void>;
  narrowGrant(grantId: string, keep: string[]): Promise<string[]>;
  deletionRequests: DeletionRequests;
}): Router {
  const { store, authorizations, render, csrfProtect, revokeGrant, narrowGrant, deletionRequests } = deps;
  const router = Router();
  const form = formBody('16kb');

  router.get('/settings/apps', requireLogin, (req, res) => {
    const me = req.user!.id;
    const usage = new Map(grantUsage(store, { personId: me }).map((u) => [u.clientId, u]));
    const apps = authorizations.forPerson(me).map((a) => {
      const client = deps.clients.get(a.clientId);
      const name = client?.name ?? a.clientId;
      const used = new Set(usage.get(a.clientId)?.used ?? []);
      return {
        clientId: a.clientId,
        name,
        shutDown: client?.status === 'shut_down',
        connected: a.revokedAt === undefined,
        scopes: a.scopes.map((s) => ({ ...describeScope(s, name), used: used.has(s) })),
        canReduce: used.size > 0 && used.size < a.scopes.length,
        firstGrantedAt: formatTime(a.firstGrantedAt),
        grantedAt: formatTime(a.grantedAt),
        revokedAt: formatTime(a.revokedAt),
        lastUsedAt: formatTime(lastUsed(store, a.clientId, me)),
        ...retention(store, a, name),
      };
    });
    render.page(req, res, 'apps', {
      title: 'Apps and websites',
      connected: apps.filter((a) => a.connected),
      removed: apps.filter((a) => !a.connected),
    });
  });

  router.post('/settings/apps/:clientId/revoke', requireLogin, ...form, csrfProtect, async (req, res) => {
    const grantId = authorizations.activeGrantId(req.user!.id, pathParam(req, 'clientId'));
    if (!grantId) throw new NotFoundError('That app is not connected to your account');
    await revokeGrant(grantId);
    res.redirect(303, '/settings/apps');
  });
  router.post('/settings/apps/:clientId/deletion-request', requireLogin, ...form, csrfProtect, async (req, res) => {
    const request = await deletionRequests.request(req.user!.id, pathParam(req, 'clientId'));
    if (!request) throw new NotFoundError('You never connected that app');
    res.redirect(303, '/settings/apps');
  });
  /** POST /settings/apps/:clientId/reduce — CSRF-checked: keeps only the scopes the app actually used. */
  router.post('/settings/apps/:clientId/reduce', requireLogin, ...form, csrfProtect, async (req, res) => {
    const me = req.user!.id;
    const clientId = pathParam(req, 'clientId');
    const grantId = authorizations.activeGrantId(me, clientId);
    const usage = grantUsage(store, { personId: me, clientId })[0];
    if (!grantId || !usage) throw new NotFoundError('That app is not connected to your account');
    if (usage.used.length > 0) await narrowGrant(grantId, usage.used);
    res.redirect(303, '/settings/apps');
  });
  return router;
}
