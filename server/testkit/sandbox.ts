import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { PartnerApp } from '../../partners/app/create-partner-app.js';
import type { World } from '../src/store/schema.js';
import type { Store } from '../src/store/store.js';
import { listenOnEphemeralPort } from '../src/http/startup.js';
import { adminTokenSchema, ConfigError, testConfig } from '../src/config.js';
import { validWorld } from '../src/store/snapshot-file.js';
import { createPlatform, type Platform } from '../src/platform.js';
import { openStore } from '../src/store/store.js';
import { memoryPersistence, StoreLoadError } from '../src/store/persistence.js';
import { seedWorld, partnerClient, PARTNER_SECRETS } from '../../seed/world.js';
import { createTunewave } from '../../partners/tunewave/tunewave.js';
import { createReelbox } from '../../partners/reelbox/reelbox.js';
import { createAdminClient, type AdminClient } from './admin-client.js';
import type { PolicyMode } from './admin-types.js';
import { createGlasshouseClient, type GlasshouseClient } from '../../partners/sdk/client.js';
import { API_SCOPES } from '../../partners/sdk/scopes.js';

/** Every scope of the messaging API: what `sandbox.client()` asks for unless told otherwise. */
export const ALL_API_SCOPES: readonly string[] = API_SCOPES;

export interface SandboxOptions {
  /** The world to start from, and to go back to on `POST /admin/reset` (default: the seed). */
  world?: World;
  /** Policy mode at the start and after a reset (default: the world's, `broad` for the seed). */
  policy?: PolicyMode;
  /** Also run Tunewave and Reelbox on ephemeral ports, registered with matching redirect URIs (default false). */
  partners?: boolean;
  /** Bearer token of this sandbox's admin API, ≥ 16 characters (default: a random one). */
  adminToken?: string;
}

/**
 * An isolated Glasshouse: platform (and partners) on 127.0.0.1, in-memory store, silent logs, and a
 * controllable clock (`admin.advanceClock(seconds)`; README "Time, faults and expiry for testers").
 */
export interface Sandbox {
  /** e.g. `http://127.0.0.1:40123`: the API base and OAuth issuer. */
  platformUrl: string;
  /** Where Tunewave and Reelbox answer, when started with `partners: true`. */
  partnerUrls: { tunewave?: string; reelbox?: string };
  adminToken: string;
  /** The admin API of this sandbox. */
  admin: AdminClient;
  /**
   * A messaging API client for `username` through `clientId`, with a token minted by the admin API
   * as if the person had consented to `scopes` (default: all six). No refresh token is used: after a
   * revocation or shut-down its calls fail with `GlasshouseApiError` 401.
   * @throws GlasshouseApiError 404 unknown person or client, 400 unknown scope, 403 client shut down.
   */
  client(username: string, clientId: string, scopes?: string[]): Promise<GlasshouseClient>;
  /** The platform itself (`platform.tokens`, `platform.events`…), for what the HTTP APIs do not show. */
  platform: Platform;
  store: Store;
  /** Stops the partners and the platform and closes the store. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds and starts an isolated Glasshouse for one test (or one scenario run): a seeded in-memory
 * store, the platform on an ephemeral port of 127.0.0.1, optionally Tunewave and Reelbox, and an
 * admin client. Nothing is shared between two sandboxes of one process. Create and close take a p50 of
 * 7–30 ms without partners (`npm run bench`). Close it in `afterAll`/`afterEach`.
 * @example
 *   const sandbox = await createSandbox();
 *   const alice = await sandbox.client('alice', 'tunewave');
 *   await alice.sendToPerson('p_bob', { text: 'hi' });
 *   await sandbox.close();
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // Held to the rules `npm start` applies (no silent fallback to the public demo token for ''); the
  // world checked before anything listens, so a refusal leaves nothing open.
  if (options.adminToken !== undefined && !adminTokenSchema.safeParse(options.adminToken).success)
    throw new ConfigError('createSandbox({ adminToken }): at least 16 characters (as ADMIN_TOKEN)');
  const adminToken = options.adminToken ?? `sandbox-${randomBytes(16).toString('hex')}`;
  const given = options.world && validWorld(structuredClone(options.world), 'the starting world');
  // Every server listens on port 0 first; the platform and partners are then built for the URLs they got.
  const listening: http.Server[] = [];
  const listen = async () => {
    const { server, url } = await listenOnEphemeralPort();
    listening.push(server);
    return { server, url };
  };
  const closeListening = () =>
    Promise.allSettled(listening.map((server) => new Promise((resolve) => server.close(resolve))));
  const partnerServers = options.partners ? { tunewave: await listen(), reelbox: await listen() } : undefined;
  const partnerUrls = partnerServers
    ? { tunewave: partnerServers.tunewave.url, reelbox: partnerServers.reelbox.url }
    : {};

  /** The starting world (with the policy asked for), a fresh copy each time: reset must not see earlier changes. */
  const world = (): World => {
    const base = given ? structuredClone(given) : seedWorld();
    const settings = base.settings.map((s) => (options.policy ? { ...s, policy: options.policy } : s));
    if (settings.length === 0 && options.policy) settings.push({ id: 'settings', policy: options.policy });
    if (!partnerServers) return { ...base, settings };
    const clients = base.clients.filter((c) => c.id !== 'tunewave' && c.id !== 'reelbox');
    for (const id of ['tunewave', 'reelbox'] as const) {
      const wanted = partnerClient(id, partnerUrls[id]!);
      const stored = base.clients.find((c) => c.id === id);
      const { client_uri, redirect_uris, post_logout_redirect_uris } = wanted.metadata;
      clients.push(
        stored
          ? { ...stored, metadata: { ...stored.metadata, client_uri, redirect_uris, post_logout_redirect_uris } }
          : wanted,
      );
    }
    return { ...base, settings, clients };
  };

  const failed = async (err: unknown, store?: Store): Promise<never> => {
    await closeListening();
    await store?.close();
    throw err;
  };
  const store = await openStore(memoryPersistence(), world).catch((err: unknown) => failed(err));
  const { server, url: platformUrl } = await listen().catch((err: unknown) => failed(err, store));
  const platform = await Promise.resolve()
    .then(() =>
      createPlatform({
        config: testConfig({ PLATFORM_URL: platformUrl, ADMIN_TOKEN: adminToken, CONTROLLABLE_CLOCK: 'true' }),
        store,
        seed: world,
        httpServer: server,
      }),
    )
    .catch((err: unknown) => failed(err, store));
  // As at `npm start`: a client the authorization server refuses is a refused world, not a failed login later.
  const clientsProblem = await platform.oauth.clientsProblem();
  if (clientsProblem) {
    await platform.close();
    await failed(new StoreLoadError(`the starting world: not a Glasshouse data file (${clientsProblem})`), store);
  }

  const partners: PartnerApp[] = [];
  const stop = async () => {
    await Promise.allSettled(partners.map((p) => p.close()));
    await platform.close();
    await store.close();
  };
  if (partnerServers) {
    const secretOf = (id: 'tunewave' | 'reelbox') =>
      String(store.client(id)?.metadata['client_secret'] ?? PARTNER_SECRETS[id]);
    const common = { platformUrl, sessionSecret: `sandbox-session-${randomBytes(16).toString('hex')}` };
    const silent = (httpServer: http.Server) => ({ log: () => undefined, httpServer });
    partners.push(
      createTunewave(
        { ...common, publicUrl: partnerServers.tunewave.url, clientSecret: secretOf('tunewave') },
        silent(partnerServers.tunewave.server),
      ),
    );
    partners.push(
      createReelbox(
        { ...common, publicUrl: partnerServers.reelbox.url, clientSecret: secretOf('reelbox') },
        silent(partnerServers.reelbox.server),
      ),
    );
  }

  const admin = createAdminClient({ baseUrl: platformUrl, adminToken });
  let closing: Promise<void> | undefined;
  return {
    platformUrl,
    partnerUrls,
    adminToken,
    admin,
    async client(username, clientId, scopes = [...ALL_API_SCOPES]) {
      const tokens = await admin.mintToken({ username, clientId, scopes });
      return createGlasshouseClient({ baseUrl: platformUrl, accessToken: tokens.access_token });
    },
    platform,
    store: store,
    close() {
      closing ??= stop();
      return closing;
    },
  };
}
