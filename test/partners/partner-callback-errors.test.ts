import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { reelboxConfig } from '../../partners/reelbox/reelbox.js';
import { tunewaveConfig } from '../../partners/tunewave/tunewave.js';
import { GlasshouseTokenError } from '../../partners/sdk/index.js';
import { listenOnEphemeralPort } from '../../server/src/http/startup.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { authorizeAtGlasshouse } from './helpers/demo.js';
import { expireAccessTokens } from './helpers/glasshouse.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { startPartner, type RunningPartner } from './helpers/partner.js';

/**
 * A login's callback fails in many ways, and each says what really happened (RFC 6749 §5.2 error
 * and HTTP status): the platform is real; a tiny real proxy at its public URL (the issuer) lets a
 * test make one endpoint answer 500 or 401, or cut the connection.
 */
describe('partner callback errors, classified', () => {
  let proxy: FaultProxy;
  let gh: RunningPlatform;
  let tunewave: RunningPartner;
  let reelbox: RunningPartner;
  const logged: unknown[] = [];
  beforeAll(async () => {
    proxy = await startFaultProxy();
    const [tunewaveServer, reelboxServer] = [await listenOnEphemeralPort(), await listenOnEphemeralPort()];
    const platform = await startPlatform(
      { PLATFORM_URL: proxy.url },
      { tunewaveUrl: tunewaveServer.url, reelboxUrl: reelboxServer.url },
    );
    proxy.setTarget(platform.url);
    gh = { ...platform, url: proxy.url };
    const log = (err: unknown) => void logged.push(err);
    tunewave = await startPartner(proxy.url, tunewaveConfig, { listening: tunewaveServer, app: { log } });
    // Reelbox with a client secret the platform never issued.
    reelbox = await startPartner(proxy.url, reelboxConfig, {
      listening: reelboxServer,
      app: { log },
      overrides: { clientSecret: 'not-the-reelbox-secret-000000' },
    });
  });
  afterAll(async () => {
    await Promise.all([tunewave.close(), reelbox.close()]);
    await gh.close();
    await proxy.close();
  });
  beforeEach(() => {
    proxy.clear();
    logged.length = 0;
  });

  /** The callback of a real login, with `tamper` applied to its query, as the browser sends it. */
  async function callback(
    partner: RunningPartner,
    username: string,
    tamper: (q: URLSearchParams) => void = () => undefined,
  ) {
    const { agent, redirect } = await authorizeAtGlasshouse(gh, partner, username);
    tamper(redirect.searchParams);
    const res = await agent.get(redirect.pathname + redirect.search).set('Accept', 'text/html');
    const loggedIn = (await agent.get('/seen').set('Accept', 'text/html')).status === 200;
    return { res, loggedIn };
  }

  it('When the code is bogus (the platform answers invalid_grant), then the page says the login expired and offers to try again', async () => {
    const { res, loggedIn } = await callback(tunewave, 'alice', (q) => q.set('code', 'bogus-code'));
    expect(res.status).toBe(400);
    expect(res.text).toContain('That login expired');
    expect(res.text).toContain('href="/auth/login"');
    expect(res.text).not.toContain('revoked');
    expect(loggedIn).toBe(false);
  });

  it('When the token endpoint answers 500, then the page says Glasshouse is not answering (502)', async () => {
    proxy.fail('/token', { status: 500 });
    const { res, loggedIn } = await callback(tunewave, 'bob');
    expect(res.status).toBe(502);
    expect(res.text).toContain('Glasshouse is not answering');
    expect(res.text).not.toContain('revoked');
    expect(loggedIn).toBe(false);
    expect(logged).toEqual([
      expect.objectContaining({ status: 500, error: 'server_error', grantType: 'authorization_code' }),
    ]);
  });

  it('When the token endpoint cuts the connection, then the page says Glasshouse is not answering (503)', async () => {
    proxy.fail('/token', 'hang-up');
    const { res, loggedIn } = await callback(tunewave, 'carol');
    expect(res.status).toBe(503);
    expect(res.text).toContain('Glasshouse is not answering');
    expect(loggedIn).toBe(false);
  });

  it('When the profile call answers 401 right after the exchange, then the page says the login expired, not revoked', async () => {
    proxy.fail('/api/v1/me', {
      status: 401,
      headers: { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer error="invalid_token"' },
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'The access token is not valid',
      }),
    });
    const { res, loggedIn } = await callback(tunewave, 'dave');
    expect(res.status).toBe(400);
    expect(res.text).toContain('That login expired');
    expect(res.text).not.toContain('revoked');
    expect(loggedIn).toBe(false);
  });

  it('When the client secret is wrong (invalid_client), then the page says it is a configuration error (500) and the error is logged', async () => {
    const { res, loggedIn } = await callback(reelbox, 'erin');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Reelbox is not set up correctly');
    expect(res.text).toContain('configuration error');
    expect(res.text).not.toContain('shut down');
    expect(loggedIn).toBe(false);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toBeInstanceOf(GlasshouseTokenError);
    expect(logged[0]).toMatchObject({ status: 401, error: 'invalid_client', grantType: 'authorization_code' });
  });

  it('When a refresh is answered 500, then the page says Glasshouse is not answering, and the session survives (not "revoked")', async () => {
    const { agent, redirect } = await authorizeAtGlasshouse(gh, tunewave, 'grace');
    await agent.get(redirect.pathname + redirect.search).expect(303);
    expect(await expireAccessTokens(gh, 'tunewave', 'grace')).toBe(1);
    proxy.fail('/token', { status: 500 });
    const res = await agent.get('/seen').set('Accept', 'text/html');
    expect(res.status).toBe(502);
    expect(res.text).toContain('Glasshouse is not answering');
    proxy.clear();
    await agent.get('/seen').set('Accept', 'text/html').expect(200);
  });

  it('When nothing fails, then the same set-up logs the person in (the proxy passes everything through)', async () => {
    const { res, loggedIn } = await callback(tunewave, 'frank');
    expect(res.status).toBe(303);
    expect(loggedIn).toBe(true);
    expect(logged).toEqual([]);
  });
});
