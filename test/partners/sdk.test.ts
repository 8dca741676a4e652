import { describe, expect, it } from '@jest/globals';
import {
  allPages,
  newerThan,
  connectPartnerSocket,
  createGlasshouseClient,
  discover,
  exchangeCode,
  GlasshouseApiError,
  GlasshouseTokenError,
  GlasshouseUnreachableError,
  whenConnected,
  type Message,
  type TokenSet,
} from '../../partners/sdk/index.js';
import { PARTNER_SCOPES } from '../../partners/app/config.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { authorizationPath, browseToRedirect, pkcePair } from '../helpers/oauth-flow.js';
import { freePort, usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';
import { expireAccessTokens, glasshouseAdmin } from './helpers/glasshouse.js';

const credentials = { clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave };
/** Tunewave's registered redirect URI on a platform seeded with the default partner URLs. */
const REDIRECT_URI = 'http://localhost:3001/auth/callback';

/** The SDK against the real platform (OAuth server, messaging API, `/partners` socket). */
describe('SDK with the real platform', () => {
  const gh = usePlatform();

  /** Tokens for `username` through the code flow: consent on the platform, then `exchangeCode` (iss, state, code + PKCE verifier). */
  async function tokensVia(username: string): Promise<TokenSet> {
    const { verifier, challenge } = pkcePair();
    const path = authorizationPath({
      clientId: 'tunewave',
      redirectUri: REDIRECT_URI,
      scopes: [...PARTNER_SCOPES],
      state: 'sdk-test-state',
      challenge,
    });
    const { redirect } = await browseToRedirect({
      url: gh.url,
      agent: await loggedInAgent(gh.url, username),
      path,
      redirectUri: REDIRECT_URI,
    });
    const input = {
      callback: redirect.searchParams,
      redirectUri: REDIRECT_URI,
      codeVerifier: verifier,
      expectedState: 'sdk-test-state',
    };
    const { raw: _raw, ...tokens } = await exchangeCode(await discover(gh.url), credentials, input);
    return tokens;
  }
  /** Tokens as if `username` had consented to Tunewave (the platform's token service, no browser). */
  function mint(username: string, scopes: readonly string[] = PARTNER_SCOPES) {
    return gh.platform.tokens.issue({ personId: `p_${username}`, clientId: 'tunewave', scopes: [...scopes] });
  }

  it('When the token is not valid, then the client throws GlasshouseApiError 401 invalid_token carrying the problem details and the bearer challenge', async () => {
    const err = await createGlasshouseClient({ baseUrl: gh.url, accessToken: 'not-a-token' })
      .me()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseApiError);
    const apiError = err as GlasshouseApiError;
    expect(apiError.status).toBe(401);
    expect(apiError.code).toBe('invalid_token');
    expect(apiError.problem).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      type: expect.stringMatching(/invalid_token$/),
    });
    expect(apiError.wwwAuthenticate).toMatch(/^Bearer /);
  });

  it('When the token lacks a scope, then the error is 403 insufficient_scope naming it', async () => {
    const client = createGlasshouseClient({
      baseUrl: gh.url,
      accessToken: (await mint('alice', ['profile'])).access_token,
    });
    expect((await client.me()).username).toBe('alice');
    const err = (await client.friends().catch((e: unknown) => e)) as GlasshouseApiError;
    expect(err).toMatchObject({ status: 403, code: 'insufficient_scope', requiredScope: 'friends:read' });
  });

  it('When a client pages with maxId, sinceId and minId, then the SDK sends the keyset cursors and newerThan catches up from a deleted message', async () => {
    const client = createGlasshouseClient({ baseUrl: gh.url, accessToken: (await mint('alice')).access_token });
    const all = await allPages((page) => client.messages('g_weekend', page), 2);
    const first = await client.messages('g_weekend', { limit: 2 });
    expect((await client.messages('g_weekend', { limit: 2, maxId: first.nextCursor! })).items).toEqual(all.slice(2, 4));
    expect((await client.messages('g_weekend', { limit: 1, sinceId: all[2]!.id })).items).toEqual([all[0]]);
    expect((await client.messages('g_weekend', { limit: 1, minId: all[2]!.id })).items).toEqual([all[1]]);
    const gone = await client.postMessage('g_weekend', { text: 'soon deleted' });
    const kept = await client.postMessage('g_weekend', { text: 'kept' });
    await client.deleteMessage(gone.id);
    const caughtUp = await newerThan((page) => client.messages('g_weekend', page), gone.id);
    expect(caughtUp.items.map((m) => m.id)).toEqual([kept.id]);
    expect((await newerThan((page) => client.messages('g_weekend', page), caughtUp.cursor)).items).toEqual([]);
    await expect(client.messages('g_weekend', { sinceId: 'x', minId: 'y' })).rejects.toMatchObject({ status: 400 });
  });

  it("When a thread is not the owner's, then the error is 404", async () => {
    const client = createGlasshouseClient({ baseUrl: gh.url, accessToken: (await mint('alice')).access_token });
    await expect(client.messages('g_book_club')).rejects.toMatchObject({ name: 'GlasshouseApiError', status: 404 });
  });

  it('When the access token has expired, then two calls at once share one refresh via the discovered token endpoint, retry, and report the new tokens', async () => {
    const first = await tokensVia('alice');
    const seen: TokenSet[] = [];
    const client = createGlasshouseClient({
      baseUrl: gh.url,
      ...first,
      ...credentials,
      onTokens: (t) => void seen.push(t),
    });
    expect(await expireAccessTokens(gh, 'tunewave', 'alice')).toBeGreaterThan(0);
    // Refresh tokens rotate: a second refresh with the same one would be a replay, which revokes the grant.
    const [me, friends] = await Promise.all([client.me(), client.friends()]);
    expect(me.username).toBe('alice');
    expect(friends.items.map((f) => f.username)).toEqual(expect.arrayContaining(['bob', 'carol']));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.accessToken).not.toBe(first.accessToken);
    expect(seen[0]!.refreshToken).not.toBe(first.refreshToken);
    expect(client.tokens.accessToken).toBe(seen[0]!.accessToken);
    expect(seen[0]!.expiresAt).toBeGreaterThan(Date.now());
  });

  it('When the grant was revoked, then the refresh is refused with GlasshouseTokenError invalid_grant', async () => {
    const client = createGlasshouseClient({ baseUrl: gh.url, ...(await tokensVia('bob')), ...credentials });
    await glasshouseAdmin(gh).revokeGrant('bob', 'tunewave');
    const err = await client.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseTokenError);
    expect((err as GlasshouseTokenError).error).toBe('invalid_grant');
    await expect(client.refresh()).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('When the client has no refresh token, then a 401 surfaces as the API error', async () => {
    const client = createGlasshouseClient({ baseUrl: gh.url, accessToken: 'expired', ...credentials });
    await expect(client.friends()).rejects.toMatchObject({ name: 'GlasshouseApiError', status: 401 });
  });

  it('When the platform does not answer, then the client throws GlasshouseUnreachableError naming the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const err = await createGlasshouseClient({ baseUrl: url, accessToken: 't' })
      .threads()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseUnreachableError);
    expect((err as GlasshouseUnreachableError).url).toBe(`${url}/api/v1/threads`);
  });

  it("When bob writes to alice, then alice's partner socket receives a typed message:created", async () => {
    const socket = connectPartnerSocket({ baseUrl: gh.url, token: (await mint('alice')).access_token });
    try {
      await whenConnected(socket);
      const received = new Promise<Message>((resolve) =>
        socket.once('message:created', ({ message }) => resolve(message)),
      );
      await gh.platform.social.send('p_bob', 't_alice_bob', { text: 'Socket hello' });
      expect(await received).toMatchObject({
        threadId: 't_alice_bob',
        text: 'Socket hello',
        sender: { username: 'bob' },
      });
    } finally {
      socket.disconnect();
    }
  });

  it('When the socket token is not valid, then the handshake is refused with connect_error', async () => {
    const socket = connectPartnerSocket({ baseUrl: gh.url, token: 'nope', reconnection: false });
    await expect(whenConnected(socket)).rejects.toThrow('invalid_token');
    socket.disconnect();
  });
});
