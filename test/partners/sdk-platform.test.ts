import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  connectPartnerSocket,
  createGlasshouseClient,
  GlasshouseApiError,
  GlasshouseTokenError,
  whenConnected,
  type Message,
  type TokenSet,
} from '../../partners/sdk/index.js';
import { PARTNER_SCOPES } from '../../partners/app/config.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';

const credentials = { clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave };

/** The SDK against the real platform (OAuth server, messaging API, `/partners` socket). */
describe('SDK with the real platform', () => {
  let gh: RunningPlatform;
  /** Tokens as if `username` had consented to Tunewave (the platform's token service, no browser). */
  function mint(username: string, scopes: readonly string[] = PARTNER_SCOPES) {
    return gh.platform.tokens.issue({ personId: `p_${username}`, clientId: 'tunewave', scopes: [...scopes] });
  }
  beforeAll(async () => {
    gh = await startPlatform();
  });
  afterAll(async () => {
    await gh.close();
  });

  it('When the token is not valid, then the client throws GlasshouseApiError 401 invalid_token with the problem details', async () => {
    const err = await createGlasshouseClient({ baseUrl: gh.url, accessToken: 'nope' }).me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlasshouseApiError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_token', problem: { status: 401 } });
    expect((err as GlasshouseApiError).wwwAuthenticate).toMatch(/^Bearer /);
  });

  it('When the token lacks a scope, then the error is 403 insufficient_scope naming it', async () => {
    const client = createGlasshouseClient({ baseUrl: gh.url, accessToken: (await mint('alice', ['profile'])).access_token });
    expect((await client.me()).username).toBe('alice');
    const err = (await client.friends().catch((e: unknown) => e)) as GlasshouseApiError;
    expect(err).toMatchObject({ status: 403, code: 'insufficient_scope', requiredScope: 'friends:read' });
  });

  it('When a thread is not the owner\'s, then the error is 404', async () => {
    const client = createGlasshouseClient({ baseUrl: gh.url, accessToken: (await mint('alice')).access_token });
    await expect(client.messages('g_book_club')).rejects.toMatchObject({ name: 'GlasshouseApiError', status: 404 });
  });

  it('When the access token no longer works but the refresh token does, then the client refreshes via the discovered token endpoint and retries', async () => {
    const minted = await mint('alice');
    expect(minted.refresh_token).toBeDefined();
    const seen: TokenSet[] = [];
    const client = createGlasshouseClient({ baseUrl: gh.url, accessToken: 'stale', refreshToken: minted.refresh_token, ...credentials, onTokens: (t) => void seen.push(t) });
    const page = await client.threads();
    expect(page.items.map((t) => t.id)).toContain('g_weekend');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.accessToken).not.toBe('stale');
  });

  it('When the grant was revoked, then the refresh is refused with GlasshouseTokenError invalid_grant', async () => {
    const minted = await mint('bob');
    const { grantId } = await gh.platform.tokens.verify(minted.access_token);
    await gh.platform.tokens.revokeGrant(grantId);
    const client = createGlasshouseClient({ baseUrl: gh.url, accessToken: minted.access_token, refreshToken: minted.refresh_token, ...credentials });
    await expect(client.me()).rejects.toBeInstanceOf(GlasshouseTokenError);
    await expect(client.refresh()).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('When bob writes to alice, then alice\'s partner socket receives a typed message:created', async () => {
    const socket = connectPartnerSocket({ baseUrl: gh.url, token: (await mint('alice')).access_token });
    try {
      await whenConnected(socket);
      const received = new Promise<Message>((resolve) => socket.once('message:created', ({ message }) => resolve(message)));
      await gh.platform.context.social.send('p_bob', 't_alice_bob', { text: 'Socket hello' });
      expect(await received).toMatchObject({ threadId: 't_alice_bob', text: 'Socket hello', sender: { username: 'bob' } });
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
