import express, { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ValidationError } from '../errors.js';
import { inputIssues } from '../http/validate.js';
import type { EventBus } from '../events.js';
import { isAdminToken } from '../http/admin-token.js';
import { allExposures } from '../audit/exposure.js';
import { clientGrantUsage, grantUsage } from '../audit/granted-vs-used.js';
import { NotFoundError } from '../errors.js';
import { pathParam } from '../http/params.js';
import type { ClientRegistry } from '../oauth/client-registry.js';
import type { TokenService } from '../oauth/token-service.js';
import { setPolicyMode } from '../policy/policy-mode.js';
import { policyModeSchema } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Renderer } from '../web/render.js';
import { safeReturnPath } from '../http/return-path.js';
import { requireMonitor } from './monitor-access.js';
import { monitorLogSchema, type MonitorLog } from './monitor-event.js';
import type { MonitorFeed } from './monitor-feed.js';
import { toMermaid } from './mermaid.js';
import { exposureChart } from './exposure-chart.js';
import { compareRoutes, type ScenarioComparer } from './compare-routes.js';
import { formBody } from '../http/form-body.js';
import { jsonBody } from '../http/json-body.js';
import { toCsv } from '../http/csv.js';
import { retentionReport } from '../retention/retention-report.js';
import { authorizationId } from '../store/row-ids.js';

/**
 * The educator's pages: GET /monitor (live sequence view), the unlock form (admin token), policy
 * switch, exports (log JSON, Mermaid, exposure CSV), import of a log, and /monitor/exposure.
 */
export function monitorRoutes(deps: {
  config: Config;
  store: Store;
  events: EventBus;
  feed: MonitorFeed;
  render: Renderer;
  csrfProtect: express.RequestHandler;
  tokens: TokenService;
  clients: ClientRegistry;
  now: () => number;
  compare?: ScenarioComparer;
}): Router {
  const { config, store, events, feed, render, csrfProtect, tokens, clients, now } = deps;
  const router = Router();
  const form = formBody('4kb');
  const guard = requireMonitor(config, store);
  const personName = (id: string) => store.get('people', id)?.displayName ?? id;

  router.use(compareRoutes({ render, guard, compare: deps.compare }));
  router.get('/monitor/unlock', (req, res) => {
    // Start the session now: the form's CSRF token is bound to its id, which must survive to the POST.
    req.session.returnTo = safeReturnPath(req.query['returnTo']);
    render.page(req, res, 'monitor-unlock', { title: 'Monitor', returnTo: req.session.returnTo });
  });
  router.post('/monitor/unlock', ...form, csrfProtect, (req, res) => {
    const returnTo = safeReturnPath((req.body as { returnTo?: string }).returnTo);
    if (!isAdminToken((req.body as { token?: string }).token, config.ADMIN_TOKEN)) {
      return render.page(
        req,
        res,
        'monitor-unlock',
        { title: 'Monitor', returnTo, error: 'That is not the admin token.' },
        401,
      );
    }
    req.session.monitorUnlocked = true;
    res.redirect(303, returnTo === '/' ? '/monitor' : returnTo);
  });

  router.get('/monitor', guard, (req, res) => {
    const clients = store.all('clients').map((c) => ({ id: c.id, name: c.name, status: c.status }));
    const people = store.all('people').map((p) => ({ id: p.id, name: p.displayName }));
    render.page(req, res, 'monitor', {
      title: 'Data-flow monitor',
      clients,
      people,
      monitorData: JSON.stringify({ clients, people }),
    });
  });

  router.post('/monitor/policy', guard, ...form, csrfProtect, async (req, res) => {
    const mode = (req.body as { mode?: unknown }).mode;
    const parsed = policyModeSchema.safeParse(mode);
    if (!parsed.success) throw new ValidationError(inputIssues(parsed.error, mode, 'mode', { repeatable: true }));
    await setPolicyMode(store, events, parsed.data);
    res.redirect(303, safeReturnPath((req.body as { returnTo?: string }).returnTo ?? '/monitor'));
  });

  router.post('/monitor/clear', guard, ...form, csrfProtect, (_req, res) => {
    feed.clear();
    res.redirect(303, '/monitor');
  });

  router.get('/monitor/log.json', guard, (_req, res) => {
    const log: MonitorLog = { format: 'glasshouse-monitor/1', exportedAt: now(), events: feed.events() };
    res.attachment('glasshouse-data-flow.json').json(log);
  });

  /** Validates an exported log (JSON body, ≤ 5 MB) and returns it for replay on the page. */
  router.post('/monitor/import', guard, ...jsonBody('5mb'), csrfProtect, (req, res) => {
    const parsed = monitorLogSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(inputIssues(parsed.error, req.body));
    res.json(parsed.data);
  });

  router.get('/monitor/sequence.mmd', guard, (_req, res) => {
    // The type after the attachment: express would set it from the file's extension (an odd `.mmd` one).
    res.attachment('glasshouse-sequence.mmd').type('text/plain').send(toMermaid(feed.events()));
  });

  router.get('/monitor/exposure', guard, (req, res) => {
    const rows = allExposures(store).map((x) => ({
      ...x,
      authorizedNames: x.authorizedPeople.map(personName),
      bystanderNames: x.bystanders.map(personName),
      threadTitles: x.threads.map((id) => {
        const t = store.get('threads', id);
        return t?.title ?? (t ? t.participantIds.map(personName).join(' & ') : id);
      }),
      scopes: clientGrantUsage(store, x.clientId),
    }));
    render.page(req, res, 'exposure', {
      title: 'Exposure report',
      rows,
      chart: exposureChart(rows),
      retained: rows.map((r) => retentionReport(store, r.clientId)),
    });
  });

  /** Narrows every current grant of a client to the scopes it used with that person ("reduce to what it used"). */
  router.post('/monitor/clients/:clientId/reduce', guard, ...form, csrfProtect, async (req, res) => {
    const clientId = pathParam(req, 'clientId');
    if (!store.client(clientId)) throw new NotFoundError('No such client');
    const narrowings = grantUsage(store, { clientId }).flatMap((u) => {
      const grantId = store.get('authorizations', authorizationId(u.personId, clientId))?.grantId;
      return grantId && u.used.length > 0 && u.unused.length > 0 ? [{ grantId, keep: u.used }] : [];
    });
    await tokens.narrowGrants(narrowings); // all or none of the client's grants
    res.redirect(303, '/monitor/exposure');
  });

  /** Shuts a partner down, or brings it back (same effect as PATCH /admin/clients/{clientId}). */
  router.post('/monitor/clients/:clientId/status', guard, ...form, csrfProtect, async (req, res) => {
    const clientId = pathParam(req, 'clientId');
    const status = (req.body as { status?: unknown }).status;
    const parsed = z.enum(['active', 'shut_down']).safeParse(status);
    if (!parsed.success) throw new ValidationError(inputIssues(parsed.error, status, 'status', { repeatable: true }));
    if (!store.client(clientId)) throw new NotFoundError('No such client');
    await clients.setStatus(clientId, parsed.data);
    res.redirect(303, '/monitor/exposure');
  });

  router.get('/monitor/exposure.csv', guard, (_req, res) => {
    const rows = allExposures(store).map((x) => [
      x.clientId,
      x.clientName,
      x.status,
      x.authorizedPeople.length,
      x.peopleSeen.length,
      x.bystanders.length,
      x.messagesRead,
      x.messagesWritten,
      x.messagesDeleted,
      x.threads.length,
      x.bystanders.map(personName).join('; '),
    ]);
    const header = [
      'client_id',
      'client',
      'status',
      'authorized_people',
      'people_seen',
      'bystanders',
      'messages_read',
      'messages_written',
      'messages_deleted',
      'threads',
      'bystander_names',
    ];
    res
      .attachment('glasshouse-exposure.csv')
      .type('text/csv')
      .send(toCsv([header, ...rows]));
  });
  return router;
}
