import type { Agent } from 'supertest';
import { createPartnerApp, type PartnerApp, type PartnerAppOptions } from '../../../partners/app/create-partner-app.js';
import type { PartnerConfig } from '../../../partners/app/config.js';
import { tunewaveConfig } from '../../../partners/tunewave/tunewave.js';
import { PARTNER_SECRETS } from '../../../seed/world.js';
import type http from 'node:http';
import { listenOnEphemeralPort } from '../../../server/src/http/startup.js';

export interface RunningPartner {
  partner: PartnerApp;
  config: PartnerConfig;
  /** e.g. http://127.0.0.1:40123 (also its public URL). */
  url: string;
  close(): Promise<void>;
}

type PartnerConfigFactory = (o: {
  publicUrl: string;
  platformUrl: string;
  clientSecret: string;
  sessionSecret: string;
}) => PartnerConfig;

export interface StartPartnerOptions {
  /** Replaces parts of the partner's config. */
  overrides?: Partial<PartnerConfig>;
  /** A server already listening (from `listenOnEphemeralPort`) and its URL; default: a new one on port 0. */
  listening?: { server: http.Server; url: string };
  /** Passed to `createPartnerApp` (default: errors are not logged). */
  app?: PartnerAppOptions;
}

/**
 * Tunewave (or `config(...)`) on a port of 127.0.0.1, talking to the platform at `platformUrl`, with
 * the seed's demo secret of that partner.
 */
export async function startPartner(
  platformUrl: string,
  config: PartnerConfigFactory = tunewaveConfig,
  options: StartPartnerOptions = {},
): Promise<RunningPartner> {
  const { server, url } = options.listening ?? (await listenOnEphemeralPort());
  const base = config({ publicUrl: url, platformUrl, clientSecret: '', sessionSecret: 'test-partner-session-secret' });
  const clientSecret = PARTNER_SECRETS[base.clientId as keyof typeof PARTNER_SECRETS] ?? '';
  const full = { ...base, clientSecret, ...options.overrides };
  const partner = createPartnerApp(full, { log: () => undefined, ...options.app, httpServer: server });
  return { partner, config: full, url, close: () => partner.close() };
}

/** The CSRF token a logged-in partner page carries. */
export function csrfOf(html: string): string {
  const match = /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

/** The value of the `name` cookie among `Set-Cookie` headers (undefined when it is not set). */
export function cookieValue(setCookie: string[] | string | undefined, name: string): string | undefined {
  const cookie = ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${name}=`));
  return cookie?.split(';')[0]!.slice(name.length + 1);
}

/** The player's `fetch` of POST /play (JSON, the page's CSRF token) by a logged-in `agent`; not checked. */
export const playAs = (agent: Agent, csrf: string, itemId: string) =>
  agent.post('/play').set('x-csrf-token', csrf).set('Accept', 'application/json').send({ itemId });
