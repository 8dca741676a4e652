import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parse as parseCookie } from 'cookie';
import express, { type RequestHandler } from 'express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import { Server } from 'socket.io';
import { answerOtherUpgrades } from './http/upgrade-fallback.js';
import { checkRequestsFirst } from '../../partners/sdk/web-server/index.js';
import { controllableClock, systemClock, type Clock } from './clock/clock.js';
import type { Config } from './config.js';
import { EventBus } from './events.js';
import { createFaultInjector, type FaultInjector } from './faults/fault-injector.js';
import { attachFaultLog } from './faults/fault-log.js';
import { adminRoutes } from './admin/admin-routes.js';
import { createAccessRecorder } from './audit/access-recorder.js';
import {
  answerClientError,
  answerEngineRefusal,
  answerConnectRequest,
  answerUnmetExpectation,
  answerContinueRequest,
  answerServerWide,
  errorHandler,
  notFoundHandler,
} from './http/problem.js';
import { NotFoundError } from './errors.js';
import { createMessagingApi } from './messaging/messaging-api.js';
import { apiHeaders } from './http/api-headers.js';
import { createOAuthServer, type OAuthServer } from './oauth/oauth.js';
import type { TokenService } from './oauth/token-service.js';
import { attachInboxSocket } from './realtime/inbox-socket.js';
import { attachPartnerSocket } from './realtime/partner-socket.js';
import { threadNotices } from './audit/thread-notices.js';
import { createMonitorFeed } from './monitor/monitor-feed.js';
import { mayMonitor } from './monitor/monitor-access.js';
import { monitorRoutes } from './monitor/monitor-routes.js';
import type { ScenarioComparer } from './monitor/compare-routes.js';
import { attachMonitorSocket } from './monitor/monitor-socket.js';
import { createSocialService, type SocialService } from './social/social-service.js';
import { startHousekeeping } from './housekeeping.js';
import type { Store } from './store/store.js';
import type { World } from './store/schema.js';
import { seedWorld, type SeedOptions } from '../../seed/world.js';
import { apiDocsRouter } from './messaging/docs.js';
import { authRoutes } from './web/auth-routes.js';
import { loginThrottle } from './web/login-throttle.js';
import { createCsrf } from './web/csrf.js';
import { createOriginPolicy } from './http/origin-policy.js';
import { createMessagePresenter } from './web/message-view.js';
import { inboxRoutes } from './web/inbox-routes.js';
import { createRenderer } from './web/render.js';
import { createWebAuth, PLATFORM_SESSION_COOKIE, type WebAuth } from './web/session.js';

const require = createRequire(import.meta.url);
const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web', 'assets');
const PICO_CSS = require.resolve('@picocss/pico/css/pico.min.css');

export interface PlatformDeps {
  config: Config;
  store: Store;
  logger?: Logger;
  /**
   * The platform's one clock (clock/clock.ts). Default: a controllable one when
   * `CONTROLLABLE_CLOCK=true`, else the wall clock.
   */
  clock?: Clock;
  /** The world `POST /admin/reset` restores; defaults to the seed with the configured partner URLs. */
  seed?: () => World;
  /**
   * The HTTP server to answer on (default: a new one, not listening). It may already listen, e.g. on
   * an ephemeral port whose URL is `config.PLATFORM_URL` (`listenOnEphemeralPort`): the platform owns
   * it from here and closes it in `close()`.
   */
  httpServer?: http.Server;
  /** Runs `/monitor/compare`'s scenarios (`compareScenarioFile` of `server/testkit/`); without it the page only lists them. */
  compare?: ScenarioComparer;
}

/** Where the built-in partners run by default: http://localhost:$TUNEWAVE_PORT / $REELBOX_PORT. */
export function partnerUrlsOf(config: Config): SeedOptions {
  return {
    tunewaveUrl: `http://localhost:${config.TUNEWAVE_PORT}`,
    reelboxUrl: `http://localhost:${config.REELBOX_PORT}`,
  };
}

export interface Platform {
  app: express.Express;
  /** `deps.httpServer`, or a new one not listening yet: call `httpServer.listen(port)`. */
  httpServer: http.Server;
  io: Server;
  events: EventBus;
  /** The clock every part of this platform reads (advance it through the admin API when controllable). */
  clock: Clock;
  /** Faults injected by testers (admin API `/admin/faults`). */
  faults: FaultInjector;
  /** People, friendships, threads and messages as the web pages change them (emits `message.created`…). */
  social: SocialService;
  /** Access tokens of the authorization server: verify (resource server), issue (admin, sandboxes), revoke. */
  tokens: TokenService;
  /** The authorization server: oidc-provider instance, client registry, consent records. */
  oauth: OAuthServer;
  /** Purge of expired OAuth records and access-log retention (README "Retention"); `runOnce()` runs it now. */
  housekeeping: ReturnType<typeof startHousekeeping>;
  /** The web sessions (express-session store, bounded: `SESSIONS_MAX`, expired ones pruned). */
  sessions: WebAuth['sessions'];
  /** Closes sockets and the HTTP server; leaves the store open (its owner closes it). */
  close(): Promise<void>;
}

/**
 * Runs a connect middleware (the web session's) only during a socket.io handshake that carries the
 * platform's session cookie: not on every poll, and not for a client without one, which has no
 * session to load (a partner's server, authenticated by its access token, whatever other cookies its
 * HTTP client keeps). engine.io keeps each connection's handshake request: the session fields added
 * to it cost about 3.5 KB per partner socket (README "Performance").
 */
function onlyForCookieHandshake(
  mw: RequestHandler,
): (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const isHandshake = (req as unknown as { _query: Record<string, string> })._query?.['sid'] === undefined;
    const header = req.headers.cookie;
    // An empty value (a cookie jar that kept the cleared logout cookie) is no session either.
    const hasSession = isHandshake && header !== undefined && !!parseCookie(header)[PLATFORM_SESSION_COOKIE];
    if (hasSession) mw(req as express.Request, res as express.Response, next);
    else next();
  };
}

/** ms a request in flight at `close()` has to be answered before its connection is closed anyway. */
export const CLOSE_GRACE_MS = 2_000;

/**
 * The one composition root of the platform: builds the express app, the HTTP server and socket.io
 * from what it is given, without listening and without globals, so tests can build many.
 */
export function createPlatform(deps: PlatformDeps): Platform {
  const { config, store } = deps;
  const logger = deps.logger ?? pino({ level: config.LOG_LEVEL });
  const clock = deps.clock ?? (config.CONTROLLABLE_CLOCK ? controllableClock() : systemClock);
  const now = () => clock.now();
  const events = new EventBus();
  const faults = createFaultInjector({ clock, events });
  const social = createSocialService({ store, events, now });
  const monitorFeed = createMonitorFeed({ events, store, now });

  const auth = createWebAuth(store, {
    secret: config.SESSION_SECRET,
    maxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
    maxSessions: config.SESSIONS_MAX,
    // Its sockets close as at a logout (realtime/session-sockets.ts).
    onDropped: (sessionId, reason) => events.emit('session.ended', { sessionId, reason }),
  });
  const origins = createOriginPolicy(config);
  const csrf = createCsrf(config.SESSION_SECRET);
  const render = createRenderer((req, res) => ({
    user: req.user,
    csrf: csrf.token(req, res),
    policy: store.settings().policy,
    renderedAt: now(),
    monitor: mayMonitor(req, config, store),
  }));
  const oauth = createOAuthServer({ config, store, events, logger, clock, faults, render });
  const audit = createAccessRecorder({
    store,
    events,
    now,
    onLost: (err, count) => logger.error({ err, count }, 'access-log entries could not be made durable'),
  });
  const detachFaultLog = attachFaultLog({ events, audit, logger });
  const api = createMessagingApi({
    config,
    store,
    social,
    tokens: oauth.tokens,
    audit,
    clock,
    faults,
    oauthEndpoints: {
      authorizationUrl: oauth.provider.urlFor('authorization'),
      tokenUrl: oauth.provider.urlFor('token'),
    },
    onUnrecorded: (access, err) =>
      logger.error({ err, access }, 'a change was saved but its access-log entry could not be'),
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Readiness for scripts and `npm start` (the partners answer the same), with no session, page or
  // cookie work: polling it leaves nothing behind.
  app.get('/healthz', apiHeaders, (_req, res) => {
    res.json({ ok: true, name: 'Glasshouse' });
  });
  // Bearer-token APIs come first: no page headers, static files, session or cookie work for them.
  api.route(app.router);
  // Any other path under /api (another version, /api itself) is an API 404 too, with the API's headers.
  app.use('/api', apiHeaders, notFoundHandler);
  // No page of the platform may be framed (login and consent above all: clickjacking, RFC 9700
  // §4.16): CSP frame-ancestors 'none' and, for older browsers, X-Frame-Options DENY. The API sets
  // its own fixed header list (http/api-headers.ts API_HEADERS) instead: it is the hot path.
  const pageHeaders = helmet({
    contentSecurityPolicy: {
      directives: { 'form-action': null, 'upgrade-insecure-requests': null, 'frame-ancestors': ["'none'"] },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: false,
    // The platform's own pages tell each other where a form was posted from (a login after an ended
    // session goes back there: web/require-login.ts); nothing is sent to other origins.
    referrerPolicy: { policy: 'same-origin' },
  });
  app.use(pageHeaders);
  // Responses are private and built per request: an ETag (a hash of every body) buys nothing here.
  app.set('etag', false);
  app.get('/favicon.ico', (_req, res) => res.status(204).end());
  app.get('/assets/pico.min.css', (_req, res) => res.sendFile(PICO_CSS));
  app.use('/assets', express.static(ASSETS_DIR, { fallthrough: false }));

  app.use(
    '/admin',
    adminRoutes({
      adminToken: config.ADMIN_TOKEN,
      store,
      events,
      clock,
      faults,
      tokens: oauth.tokens,
      clients: oauth.clients,
      seed: deps.seed ?? (() => seedWorld(partnerUrlsOf(config))),
    }),
  );
  /** Public: the partner access policy now in force (`{ "mode": "broad" | "least-privilege" }`), for partners' badges. */
  app.get('/policy', (_req, res) => res.set('Cache-Control', 'no-store').json({ mode: store.settings().policy }));
  app.use('/docs/admin', apiDocsRouter('/admin/openapi.json', 'Glasshouse admin API'));
  app.use('/docs', api.docs);

  const webSession = [cookieParser(), auth.sessionMiddleware, auth.passport.session()];
  // oidc-provider's endpoints come before the web pages: they authenticate the client (RFC 6749 §2.3)
  // or check the provider's own xsrf token (/session/end/confirm), never our session cookie, and a
  // browser-based client legitimately sends its Origin, so the web forms' Origin guard is not theirs.
  // Its login check at /auth reads the web session's person, so the session runs before it there.
  app.use(oauth.authorizationPath, ...webSession);
  app.use((req, res, next) => (oauth.ownsPath(req.path) ? oauth.handler(req, res) : next()));
  const web = express.Router();
  // Cookie-authenticated: forms are posted only from the platform's own pages (README "Socket security model").
  web.use(origins.guard, ...webSession);
  const throttle = loginThrottle(clock);
  // What requests leave in memory goes with the world: rate windows run on the platform clock, which a
  // reset sets back (windows stamped a day ahead would lock a partner or a login out long after it),
  // and an Idempotency-Key must not replay an answer from the world before.
  events.on('world.reset', () => {
    throttle.close();
    api.close();
  });
  web.use(
    authRoutes({
      store,
      auth,
      events,
      render,
      demoMode: config.DEMO_MODE,
      csrfProtect: csrf.protect,
      throttle: throttle.middleware,
      now,
    }),
  );
  web.use(
    inboxRoutes({
      store,
      social,
      render,
      csrfProtect: csrf.protect,
      threadNotices: (threadId) => threadNotices(store, threadId, now()),
    }),
  );
  web.use(...oauth.webRoutes({ csrfProtect: csrf.protect, throttle: throttle.middleware }));
  web.use(
    monitorRoutes({
      config,
      store,
      events,
      now,
      feed: monitorFeed,
      render,
      csrfProtect: csrf.protect,
      tokens: oauth.tokens,
      clients: oauth.clients,
      compare: deps.compare,
    }),
  );
  app.use(web);

  app.use('/admin', notFoundHandler);
  // Any other path: the platform's 404 (its page for a browser, problem+json otherwise), not the
  // provider's bare text one (its own paths were routed to it above).
  app.use((_req, _res, next) => next(new NotFoundError('No such page on Glasshouse')));
  app.use(errorHandler(logger, (res, err) => render.errorPage(res.req, res, err)));

  // Without Host, node would answer a bare 400 itself: answerServerWide refuses it as problem details.
  const httpServer = deps.httpServer ?? http.createServer({ requireHostHeader: false });
  // socket.io puts engine.io in front of this listener (it answers /socket.io/ itself): the server-wide
  // checks are put in front of both once it is attached (checkRequestsFirst, below), before express,
  // not as its first middleware: express's router skips every layer of a target whose path does not
  // parse (`GET http://`: its HTML 404), and keeps the target it was given as originalUrl.
  httpServer.on('request', app);
  httpServer.on('clientError', answerClientError);
  httpServer.on('connect', answerConnectRequest);
  httpServer.on('checkExpectation', answerUnmetExpectation);
  httpServer.on('checkContinue', answerContinueRequest(httpServer));
  const io = new Server(httpServer, {
    serveClient: true,
    // Upgrades that are not socket.io's are answered by answerOtherUpgrades, not ended after 1 s.
    destroyUpgrade: false,
    cors: { origin: false },
    // No allowRequest: every request reaches engine.io through the server-wide checks
    // (checkRequestsFirst, below), every upgrade through answerOtherUpgrades's.
    // Room broadcasts missed during a short drop are replayed (the inbox); middlewares run again, so a
    // recovered socket is re-checked against its session and origin. Longer gaps: README "Catch-up after a reconnect".
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: false },
  });
  io.engine.on('connection_error', answerEngineRefusal);
  checkRequestsFirst(httpServer, answerServerWide);
  const otherUpgrades = answerOtherUpgrades(httpServer, (req, res) => httpServer.emit('request', req, res), io.path());
  io.engine.use(onlyForCookieHandshake(cookieParser()));
  io.engine.use(onlyForCookieHandshake(auth.sessionMiddleware));
  io.engine.use(onlyForCookieHandshake(auth.passport.session()));
  const present = createMessagePresenter({ store, social, render });
  const detachInbox = attachInboxSocket(io, { events, store, social, origins, logger, present });
  const detachPartners = attachPartnerSocket(io, {
    events,
    store,
    tokens: oauth.tokens,
    audit,
    logger,
    now,
    faults,
    maxSocketsPerToken: config.PARTNER_SOCKETS_PER_TOKEN,
  });
  const detachMonitor = attachMonitorSocket(io, { config, store, feed: monitorFeed, events, origins, logger });
  const housekeeping = startHousekeeping({ store, config, now, logger, events });

  return {
    app,
    httpServer,
    io,
    events,
    clock,
    faults,
    social,
    tokens: oauth.tokens,
    oauth,
    housekeeping,
    sessions: auth.sessions,
    async close() {
      await housekeeping.close();
      auth.close();
      oauth.close();
      throttle.close();
      detachInbox();
      detachPartners();
      api.close();
      detachMonitor();
      monitorFeed.close();
      faults.close();
      detachFaultLog();
      io.disconnectSockets(true);
      // Idle keep-alive connections close at once; a request in flight has CLOSE_GRACE_MS to be
      // answered; then every connection closes, answered or not: one a client opened and never
      // finished a request on held the stop (and Ctrl-C) for as long as the client liked.
      const closeEveryConnection = () => {
        httpServer.closeAllConnections();
        otherUpgrades.closeAll(); // node no longer counts an upgraded connection as its own
      };
      let grace: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        httpServer.closeIdleConnections();
        grace = setTimeout(closeEveryConnection, CLOSE_GRACE_MS);
      });
      clearTimeout(grace);
      closeEveryConnection();
    },
  };
}
