import { afterAll, beforeAll } from '@jest/globals';
import supertest from 'supertest';
import type { Agent, Response } from 'supertest';
import type { PartnerAppOptions } from '../../../partners/app/create-partner-app.js';
import { reelboxConfig } from '../../../partners/reelbox/reelbox.js';
import { tunewaveConfig } from '../../../partners/tunewave/tunewave.js';
import { browseToRedirect } from '../../helpers/oauth-flow.js';
import { listenOnEphemeralPort } from '../../../server/src/http/startup.js';
import { startPlatform, type RunningPlatform } from '../../helpers/platform.js';
import { loggedInAgent } from '../../helpers/web-session.js';
import { startPartner, type RunningPartner } from './partner.js';

/** The whole demo in-process: a seeded in-memory platform and both partners, on 127.0.0.1. */
export interface RunningDemo {
  gh: RunningPlatform;
  tunewave: RunningPartner;
  reelbox: RunningPartner;
  close(): Promise<void>;
}

/**
 * Starts the platform with the partners' redirect URIs registered for their ephemeral ports.
 * @param partnerOptions given to both partner apps (e.g. a clock).
 */
export async function startDemo(partnerOptions: PartnerAppOptions = {}): Promise<RunningDemo> {
  const [tunewaveServer, reelboxServer] = [await listenOnEphemeralPort(), await listenOnEphemeralPort()];
  const gh = await startPlatform({}, { tunewaveUrl: tunewaveServer.url, reelboxUrl: reelboxServer.url });
  const tunewave = await startPartner(gh.url, tunewaveConfig, { listening: tunewaveServer, app: partnerOptions });
  const reelbox = await startPartner(gh.url, reelboxConfig, { listening: reelboxServer, app: partnerOptions });
  return {
    gh,
    tunewave,
    reelbox,
    async close() {
      await Promise.all([tunewave.close(), reelbox.close()]);
      await gh.close();
    },
  };
}

/**
 * The demo of a test file (or of the `describe` it is called in), as `usePlatform` does for the
 * platform: started in `beforeAll`, closed in `afterAll`; read its fields inside hooks and tests only.
 */
export function useDemo(partnerOptions: PartnerAppOptions = {}): RunningDemo {
  const running = {} as RunningDemo;
  beforeAll(async () => {
    Object.assign(running, await startDemo(partnerOptions));
  });
  afterAll(async () => {
    await running.close?.();
  });
  return running;
}

/** A login started on the partner and answered by Glasshouse, before the browser returns to the partner. */
export interface PendingLogin {
  /** The partner's cookie jar (holds the login's `state` and PKCE verifier). */
  agent: Agent;
  /** The partner's `GET /auth/login` answer (redirect to the platform). */
  start: Response;
  /** Where the platform sent the browser back: the partner's callback with `code`/`error` and `state`. */
  redirect: URL;
  /** The platform's cookie jar, logged in as the person. */
  platformAgent: Agent;
}

/**
 * The first half of "Log in with Glasshouse" over HTTP: the partner's /auth/login, the platform's
 * login (as `username`) and consent (`decision`), up to the redirect back to the partner.
 */
export async function authorizeAtGlasshouse(
  gh: RunningPlatform,
  partner: RunningPartner,
  username: string,
  decision: 'approve' | 'deny' = 'approve',
): Promise<PendingLogin> {
  const platformAgent = await loggedInAgent(gh.url, username);
  const agent = supertest.agent(partner.url);
  const start = await agent.get('/auth/login').expect(302);
  const authorize = new URL(start.headers['location']!);
  const { redirect } = await browseToRedirect({
    url: gh.url,
    agent: platformAgent,
    path: authorize.pathname + authorize.search,
    redirectUri: `${partner.url}/auth/callback`,
    decision,
  });
  return { agent, start, redirect, platformAgent };
}

/**
 * "Log in with Glasshouse" over HTTP: `authorizeAtGlasshouse`, then back to the partner's callback.
 * @returns the partner agent (logged in when approved), the callback's response and the steps before.
 */
export async function logInWithGlasshouse(
  gh: RunningPlatform,
  partner: RunningPartner,
  username: string,
  decision: 'approve' | 'deny' = 'approve',
): Promise<PendingLogin & { callback: Response }> {
  const pending = await authorizeAtGlasshouse(gh, partner, username, decision);
  const callback = await pending.agent
    .get(pending.redirect.pathname + pending.redirect.search)
    .set('Accept', 'text/html');
  return { ...pending, callback };
}
