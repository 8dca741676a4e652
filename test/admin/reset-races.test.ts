import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testConfig, type Config } from '../../server/src/config.js';
import { listenOnEphemeralPort } from '../../server/src/http/startup.js';
import { createPlatform, type Platform } from '../../server/src/platform.js';
import { filePersistence } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { seedWorld } from '../../seed/world.js';
import { faultyDisk } from '../helpers/faulty-disk.js';
import { until } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

/**
 * A world reset (POST /admin/reset: "every grant, token … gone", all or nothing) racing with an
 * operation that read the old world before an await and writes after it.
 */
describe('when a reset lands in the middle of an operation', () => {
  let dir: string;
  let store: Store;
  let platform: Platform;
  let url: string;
  let config: Config;
  let partner: Server;
  /** Answers the partner's deletion endpoint once called (set per test). */
  let answerDeletion: (() => void) | undefined;
  let deletionCalls = 0;
  const faults = faultyDisk();

  beforeAll(async () => {
    // Tunewave's data_deletion_uri: a partner that answers when the test says so.
    partner = createServer((req, res) => {
      deletionCalls++;
      answerDeletion = () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"deleted","messagesDeleted":0}');
      req.resume();
    });
    await new Promise<void>((r) => partner.listen(0, '127.0.0.1', r));
    const tunewaveUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}`;
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-reset-races-'));
    const seed = () => seedWorld({ tunewaveUrl });
    store = await openStore(filePersistence(path.join(dir, 'glasshouse.json'), faults.disk), seed);
    const listening = await listenOnEphemeralPort();
    url = listening.url;
    config = testConfig({ PLATFORM_PORT: new URL(url).port, PLATFORM_URL: url });
    platform = createPlatform({ config, store, httpServer: listening.server, seed });
  });
  afterAll(async () => {
    faults.heal();
    await platform?.close();
    await store?.close();
    partner?.closeAllConnections();
    await new Promise((r) => partner?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const reset = () => request(url).post('/admin/reset').set('Authorization', `Bearer ${config.ADMIN_TOKEN}`);

  it('When a grant is being revoked on a slow disk and the world is reset meanwhile, then no token of the old world works after the reset', async () => {
    const { access_token } = await platform.tokens.issue({
      personId: 'p_dave',
      clientId: 'reelbox',
      scopes: ['profile', 'messages:read'],
    });
    await request(url).get('/api/v1/me').set('Authorization', `Bearer ${access_token}`).expect(200);
    await store.flush();
    const slow = faults.holdSyncs(0); // the revocation's token deletions wait on the disk
    let revoking: Promise<request.Response> | undefined;
    let resetting: Promise<request.Response> | undefined;
    try {
      revoking = request(url)
        .post('/admin/grants/revoke')
        .set('Authorization', `Bearer ${config.ADMIN_TOKEN}`)
        .send({ username: 'dave', clientId: 'reelbox' })
        .then((r) => r);
      await until(() => slow.waiting() > 0, 5000, 'the revocation to wait on the disk');
      resetting = reset().then((r) => r);
      await new Promise((r) => setTimeout(r, 50)); // the reset is queued behind the deletions
    } finally {
      slow.release();
    }
    expect((await resetting!).status).toBe(200); // the world is the seed: no grant, no token
    expect((await revoking!).status).toBe(503); // the revocation's last step was overtaken by the reset
    await store.flush();
    // The old access token (whose revocation was asked for, too) is refused in the reset world…
    expect((await request(url).get('/api/v1/me').set('Authorization', `Bearer ${access_token}`)).status).toBe(401);
    // …and nothing of the old world's grants or tokens is there.
    expect(
      store
        .all('oidc')
        .filter((r) => r.payload['accountId'] === 'p_dave')
        .map((r) => r.model),
    ).toEqual([]);
  });

  it('When a deletion request waits for the partner and the world is reset meanwhile, then the old authorization does not come back', async () => {
    await platform.tokens.issue({ personId: 'p_alice', clientId: 'tunewave', scopes: ['profile', 'messages:read'] });
    const alice = await loggedInAgent(url, 'alice');
    const page = await alice.get('/settings/apps').expect(200);
    const calls = deletionCalls;
    const asking = alice
      .post('/settings/apps/tunewave/deletion-request')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .then((r) => r);
    await until(() => deletionCalls > calls, 5000, 'the partner to be asked');
    expect((await reset()).status).toBe(200);
    expect(store.get('authorizations', 'p_alice~tunewave')).toBeUndefined(); // the seed has none
    answerDeletion!();
    await asking;
    await store.flush();
    // The reset world has no authorization of alice's: the Apps page does not list Tunewave as hers.
    expect(store.get('authorizations', 'p_alice~tunewave')).toBeUndefined();
  });
});
