import supertest from 'supertest';
import type { Agent, Response } from 'supertest';
import { reelboxConfig } from '../../../partners/reelbox/reelbox.js';
import { tunewaveConfig } from '../../../partners/tunewave/tunewave.js';
import { browseToRedirect } from '../../helpers/oauth-flow.js';
import { freePort, startPlatform, type RunningPlatform } from '../../helpers/platform.js';
import { loggedInAgent } from '../../helpers/web-session.js';
import { startPartner, type RunningPartner } from './partner.js';

/** The whole demo in-process: a seeded in-memory platform and both partners, on 127.0.0.1. */
export interface RunningDemo {
  gh: RunningPlatform;
  tunewave: RunningPartner;
  reelbox: RunningPartner;
  close(): Promise<void>;
}

/** Starts the platform with the partners' redirect URIs registered for their ephemeral ports. */
export async function startDemo(): Promise<RunningDemo> {
  const [tunewavePort, reelboxPort] = [await freePort(), await freePort()];
  const gh = await startPlatform({}, { tunewaveUrl: `http://127.0.0.1:${tunewavePort}`, reelboxUrl: `http://127.0.0.1:${reelboxPort}` });
  const tunewave = await startPartner(gh.url, tunewaveConfig, {}, tunewavePort);
  const reelbox = await startPartner(gh.url, reelboxConfig, {}, reelboxPort);
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
 * "Log in with Glasshouse" over HTTP: the partner's /auth/login, the platform's login (as
 * `username`) and consent (`decision`), back to the partner's callback.
 * @returns the partner agent (logged in when approved) and the callback's response.
 */
export async function logInWithGlasshouse(
  gh: RunningPlatform,
  partner: RunningPartner,
  username: string,
  decision: 'approve' | 'deny' = 'approve',
): Promise<{ agent: Agent; callback: Response; platformAgent: Agent }> {
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
  const callback = await agent.get(redirect.pathname + redirect.search).set('Accept', 'text/html');
  return { agent, callback, platformAgent };
}
