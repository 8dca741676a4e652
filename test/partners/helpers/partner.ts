import supertest from 'supertest';
import type { Agent } from 'supertest';
import { createPartnerApp, type PartnerApp } from '../../../partners/app/create-partner-app.js';
import type { PartnerConfig } from '../../../partners/app/config.js';
import { tunewaveConfig } from '../../../partners/tunewave/tunewave.js';
import { PARTNER_SECRETS } from '../../../seed/world.js';
import { freePort } from '../../helpers/platform.js';

export interface RunningPartner {
  partner: PartnerApp;
  config: PartnerConfig;
  /** e.g. http://127.0.0.1:40123 (also its public URL). */
  url: string;
  close(): Promise<void>;
}

/**
 * Tunewave (or `config(...)`) on `port` (default: a free one) of 127.0.0.1, talking to the platform
 * at `platformUrl`, with the seed's demo secret of that partner.
 */
export async function startPartner(
  platformUrl: string,
  config: (o: { publicUrl: string; platformUrl: string; clientSecret: string; sessionSecret: string }) => PartnerConfig = tunewaveConfig,
  overrides: Partial<PartnerConfig> = {},
  port?: number,
): Promise<RunningPartner> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const base = config({ publicUrl: url, platformUrl, clientSecret: '', sessionSecret: 'test-partner-session-secret' });
  const clientSecret = PARTNER_SECRETS[base.clientId as keyof typeof PARTNER_SECRETS] ?? '';
  const full = { ...base, clientSecret, ...overrides };
  const partner = createPartnerApp(full, { log: () => undefined });
  await new Promise<void>((resolve) => partner.httpServer.listen(port, '127.0.0.1', resolve));
  return { partner, config: full, url, close: () => partner.close() };
}

/** Follows the partner's login through a platform that answers at once (the fake); returns the agent. */
export async function logInThroughFake(partnerUrl: string): Promise<Agent> {
  const agent = supertest.agent(partnerUrl);
  const start = await agent.get('/auth/login').expect(302);
  const back = await fetch(start.headers['location']!, { redirect: 'manual' });
  const callback = new URL(back.headers.get('location')!);
  await agent.get(callback.pathname + callback.search).expect(303).expect('Location', '/');
  return agent;
}

/** The CSRF token a logged-in partner page carries. */
export function csrfOf(html: string): string {
  const match = /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}
