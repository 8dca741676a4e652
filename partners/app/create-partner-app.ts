import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Request } from 'express';
import express from 'express';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import helmet from 'helmet';
import { createDPoPKey, GlasshouseError } from '../sdk/index.js';
import { BoundedSessionStore } from '../sdk/web-server/index.js';
import { createAccounts } from './accounts.js';
import { csrfCookieName, type PartnerConfig } from './config.js';
import { createCsrf } from './csrf.js';
import {
  answerPartnerConnect,
  answerPartnerExpectation,
  answerPartnerContinue,
  answerPartnerUpgrades,
  answerPartnerParserRefusals,
  answerPartnerServerWide,
  failureResponder,
} from './failure-pages.js';
import { failureHandler, type FailureKind } from './failures.js';
import { faviconRoutes } from './favicon.js';
import { createClientStanding } from './client-standing.js';
import { createKept } from './kept.js';
import { keptRoutes } from './kept-routes.js';
import { createLogin, loginRoutes } from './login.js';
import { createPolicyBadges } from './policy-badge.js';
import { playerRoutes } from './player-routes.js';
import { createRelay } from './relay.js';
import { createRenderer, currentUser } from './render.js';
import { seenRoutes } from './seen-routes.js';
import { originGuard } from './origin-guard.js';

const require = createRequire(import.meta.url);
const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const PICO_CSS = require.resolve('@picocss/pico/css/pico.min.css');

/** Partner session lifetime: 8 hours (ms). */
const SESSION_MAX_AGE_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

/** An SDK error in one line, with its cause's message. */
const oneLine = (err: Error): string =>
  `${err.name}: ${err.message}${err.cause instanceof Error ? ` (cause: ${err.cause.message})` : ''}`;

export interface PartnerApp {
  app: express.Express;
  /** `options.httpServer`, or a new one not listening yet: call `httpServer.listen(port)`. */
  httpServer: http.Server;
  /** The web sessions (expired ones forgotten, at most `maxSessions`, least recently used dropped first). */
  sessions: session.Store;
  /** Ends live feeds and sockets to the platform, then closes the HTTP server. */
  close(): Promise<void>;
}

export interface PartnerAppOptions {
  /** Where server errors are reported (default: console.error). */
  log?: (err: unknown) => void;
  /** Clock (ms since epoch) of the policy badge's cache, of pending logins' age and of the kept copies; default Date.now. */
  now?: () => number;
  /** How long a partner web session lives (ms, default 8 h); its live feeds end with it. */
  sessionMaxAgeMs?: number;
  /** Most web sessions kept of each kind, logged in or not (default 10,000): past it the least recently used of that kind is dropped. */
  maxSessions?: number;
  /** Start in sneaky mode: deletion requests are answered but not honoured (default false; `/kept` switches it). */
  sneaky?: boolean;
  /**
   * The HTTP server to answer on (default: a new one). It may already listen at `config.publicUrl`
   * (tests listen on port 0 first); the app closes it in `close()`.
   */
  httpServer?: http.Server;
}

/**
 * Builds one partner app (Tunewave, Reelbox…) from its config, without listening and without
 * globals: its own session cookie, own `Passport`, own in-memory accounts, kept copies, socket
 * relay and policy-badge cache.
 * Routes: `/` (landing or player), `/auth/login`, `/auth/callback`, `/logout`, `/share`, `/play`,
 * `/events` (SSE), `/seen…` ("what we can see"), `/kept…` ("what we kept"), `/glasshouse/data-deletion`, `/healthz`, `/assets/…`, `/favicon.svg`.
 */
export function createPartnerApp(config: PartnerConfig, options: PartnerAppOptions = {}): PartnerApp {
  // The SDK's errors (a forged callback's issuer, an odd answer of the platform) in one line; our own bugs with their stack.
  const log =
    options.log ??
    ((err: unknown) => console.error(`[${config.name}]`, err instanceof GlasshouseError ? oneLine(err) : err));
  // One DPoP key per partner process (RFC 9449), kept as long as the tokens: in memory, like them.
  const dpop = config.dpop ? createDPoPKey() : undefined;
  const accounts = createAccounts(config, dpop);
  const kept = createKept({
    ...(options.sneaky !== undefined ? { sneaky: options.sneaky } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const relay = createRelay({ platformUrl: config.platformUrl, accounts, kept, log, dpop });
  const login = createLogin(config, accounts, options.now, dpop);
  const csrf = createCsrf(config.sessionSecret, csrfCookieName(config.cookieName));
  const policy = createPolicyBadges({ platformUrl: config.platformUrl, ...(options.now ? { now: options.now } : {}) });
  const render = createRenderer(config, csrf.token, policy);

  /**
   * Forgets the person's tokens and feed, and ends the session: a logout, or the failure `kind` that
   * ended it (revoked, shut down…), which the person's other tabs are told.
   */
  async function endSession(req: Request, kind?: FailureKind): Promise<void> {
    const user = currentUser(req);
    if (user) {
      relay.close(user.id, kind ?? 'logged_out');
      accounts.remove(user.id);
    }
    await new Promise<void>((resolve) => req.logout({ keepSessionInfo: false }, () => resolve()));
    await new Promise<void>((resolve) => (req.session ? req.session.destroy(() => resolve()) : resolve()));
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
      strictTransportSecurity: false,
      // Same-origin Referer only: a refused form's page links back to where the person was.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, name: config.name });
  });
  app.use(faviconRoutes(config));
  app.get('/assets/pico.min.css', (_req, res) => res.sendFile(PICO_CSS));
  app.use('/assets', express.static(ASSETS_DIR, { fallthrough: false }));

  // Sessions are forgotten when they expire and past `maxSessions` (least recently used first); the
  // live feeds opened in one end with it.
  const sessionMaxAgeMs = options.sessionMaxAgeMs ?? SESSION_MAX_AGE_MS;
  const sessions = new BoundedSessionStore({
    max: options.maxSessions ?? MAX_SESSIONS,
    maxAgeMs: sessionMaxAgeMs,
    onDropped: (sessionId) => relay.closeSession(sessionId, 'session_expired'),
  });
  app.use(
    originGuard(config.publicUrl),
    cookieParser(),
    session({
      name: config.cookieName,
      secret: config.sessionSecret,
      store: sessions,
      resave: false,
      saveUninitialized: false,
      // The cookie's expiry moves with each request, as the session's does in the store.
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: sessionMaxAgeMs },
    }),
    login.passport.session(),
  );
  app.use(
    loginRoutes({
      login,
      csrfProtect: csrf.protect,
      onLogout: endSession,
      onSessionReplaced: (id) => relay.closeSession(id),
      cookieName: config.cookieName,
    }),
  );
  app.use(
    playerRoutes({
      config,
      accounts,
      relay,
      render,
      csrfProtect: csrf.protect,
      standing: createClientStanding(config, options.now ? { now: options.now } : {}),
    }),
  );
  app.use(
    seenRoutes({
      accounts,
      kept,
      render,
      csrfProtect: csrf.protect,
      self: { clientId: config.clientId, name: config.name },
    }),
  );
  app.use(keptRoutes({ config, kept, render, csrfProtect: csrf.protect }));
  const respond = failureResponder(render, config.name);
  app.use((req, res) => respond(req, res, 'not_found'));
  app.use(failureHandler({ respond, onSessionEnded: endSession, log }));

  // Without Host, node would answer a bare 400 itself: the app's first middleware refuses it as problem details.
  const httpServer = options.httpServer ?? http.createServer({ requireHostHeader: false });
  // Before express (as on the platform): its router skips every layer of a target whose path does not parse.
  const serverWide = answerPartnerServerWide(config.name);
  const serve: http.RequestListener = (req, res) => serverWide(req, res, () => app(req, res));
  httpServer.on('request', serve);
  httpServer.on('clientError', answerPartnerParserRefusals(config.name));
  httpServer.on('connect', answerPartnerConnect(config.name));
  httpServer.on('checkExpectation', answerPartnerExpectation(config.name));
  httpServer.on('checkContinue', answerPartnerContinue(config.name, httpServer));
  const upgrades = answerPartnerUpgrades(config.name, httpServer, serve);
  return {
    app,
    httpServer,
    sessions,
    async close() {
      relay.closeAll();
      sessions.close();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
        upgrades.closeAll(); // node no longer counts an upgraded connection as its own
      });
    },
  };
}
