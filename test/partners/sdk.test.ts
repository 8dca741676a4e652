import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createGlasshouseClient,
  GlasshouseApiError,
  GlasshouseTokenError,
  GlasshouseUnreachableError,
  requestToken,
  type TokenSet,
} from '../../partners/sdk/index.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { freePort } from '../helpers/platform.js';
import { startFakeGlasshouse, type FakeGlasshouse } from './helpers/fake-glasshouse.js';

const credentials = { clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave };

/** Tokens for alice from the stand-in server, through a real code + PKCE exchange. */
async function tokensFrom(fake: FakeGlasshouse): Promise<TokenSet> {
  const verifier = 'v'.repeat(43);
  const challenge = (await import('node:crypto')).createHash('sha256').update(verifier).digest('base64url');
  const redirect = 'http://127.0.0.1:1/cb';
  const auth = await fetch(`${fake.url}/authorize?redirect_uri=${encodeURIComponent(redirect)}&state=s&code_challenge=${challenge}`, { redirect: 'manual' });
  const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
  return requestToken(`${fake.url}/token`, credentials, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirect });
}

/** SDK behaviour that does not depend on the real platform (stand-in server). */
describe('SDK (stand-in server)', () => {
  let fake: FakeGlasshouse;
  beforeAll(async () => {
    fake = await startFakeGlasshouse(credentials);
  });
  afterAll(async () => {
    await fake.close();
  });

  it('When the API answers 401 problem details, then the client throws a GlasshouseApiError carrying status, problem and bearer code', async () => {
    const client = createGlasshouseClient({ baseUrl: fake.url, accessToken: 'not-a-token' });
    const err = await client.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseApiError);
    const apiError = err as GlasshouseApiError;
    expect(apiError.status).toBe(401);
    expect(apiError.code).toBe('invalid_token');
    expect(apiError.problem).toMatchObject({ status: 401, title: 'Unauthorized', type: expect.stringMatching(/invalid_token$/) });
    expect(apiError.wwwAuthenticate).toMatch(/^Bearer /);
  });

  it('When the access token has expired, then the client refreshes once, retries, and reports the new tokens', async () => {
    const first = await tokensFrom(fake);
    const seen: TokenSet[] = [];
    const client = createGlasshouseClient({ baseUrl: fake.url, ...first, ...credentials, onTokens: (t) => void seen.push(t) });
    fake.expireAccessTokens();
    // Two calls at once share one refresh (the stand-in's refresh tokens are single-use).
    const [me, friends] = await Promise.all([client.me(), client.friends()]);
    expect(me.username).toBe('alice');
    expect(friends.items.map((f) => f.username)).toEqual(['bob', 'carol']);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.accessToken).not.toBe(first.accessToken);
    expect(client.tokens.accessToken).toBe(seen[0]!.accessToken);
    expect(seen[0]!.expiresAt).toBeGreaterThan(Date.now());
  });

  it('When the grant was revoked, then the refresh is refused with GlasshouseTokenError invalid_grant', async () => {
    const client = createGlasshouseClient({ baseUrl: fake.url, ...(await tokensFrom(fake)), ...credentials });
    fake.revokeAll();
    const err = await client.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseTokenError);
    expect((err as GlasshouseTokenError).error).toBe('invalid_grant');
  });

  it('When the client has no refresh token, then a 401 surfaces as the API error', async () => {
    const client = createGlasshouseClient({ baseUrl: fake.url, accessToken: 'expired', ...credentials });
    await expect(client.friends()).rejects.toMatchObject({ name: 'GlasshouseApiError', status: 401 });
  });

  it('When the platform does not answer, then the client throws GlasshouseUnreachableError naming the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const err = await createGlasshouseClient({ baseUrl: url, accessToken: 't' }).threads().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseUnreachableError);
    expect((err as GlasshouseUnreachableError).url).toBe(`${url}/api/v1/threads`);
  });
});
