import { beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidTokenError } from '../../server/src/errors.js';
import type { TokenService } from '../../server/src/oauth/token-service.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { introspect, refreshTokens, type ClientCredentials } from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';

const tunewave: ClientCredentials = {
  clientId: 'tunewave',
  clientSecret: PARTNER_SECRETS.tunewave,
  redirectUri: 'http://localhost:3001/auth/callback',
};

describe('TokenService (issue, verify, revokeGrant)', () => {
  const gh = usePlatform();
  let tokens: TokenService;
  beforeAll(async () => {
    tokens = gh.platform.tokens;
  });

  it('When tokens are issued for a person, client and scopes, then verify() returns exactly those facts', async () => {
    const before = Date.now();
    const issued = await tokens.issue({
      personId: 'p_alice',
      clientId: 'tunewave',
      scopes: ['messages:read', 'threads:participants'],
    });
    expect(issued).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'messages:read threads:participants',
    });
    const info = await tokens.verify(issued.access_token);
    expect(info).toMatchObject({
      clientId: 'tunewave',
      personId: 'p_alice',
      scopes: ['messages:read', 'threads:participants'],
    });
    expect(info.expiresAt).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(info.expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(gh.store.get('authorizations', 'p_alice~tunewave')).toMatchObject({
      grantId: info.grantId,
      scopes: ['messages:read', 'threads:participants'],
    });
    expect(gh.platform.tokens).toBe(tokens);
  });

  it('When issued tokens meet the HTTP endpoints, then they behave like consented ones (introspection, refresh)', async () => {
    const issued = await tokens.issue({ personId: 'p_bob', clientId: 'tunewave', scopes: ['profile'] });
    expect(await introspect(gh.url, tunewave, issued.access_token)).toMatchObject({
      active: true,
      sub: 'p_bob',
      scope: 'profile',
    });
    const refreshed = await refreshTokens(gh.url, tunewave, issued.refresh_token!);
    expect(refreshed.status).toBe(200);
    expect((await tokens.verify(refreshed.body.access_token)).scopes).toEqual(['profile']);
  });

  it('When a person gets more scopes for the same client, then the grant grows and stays one authorization', async () => {
    const a = await tokens.issue({ personId: 'p_carol', clientId: 'reelbox', scopes: ['profile'] });
    const b = await tokens.issue({ personId: 'p_carol', clientId: 'reelbox', scopes: ['friends:read'] });
    const [infoA, infoB] = await Promise.all([tokens.verify(a.access_token), tokens.verify(b.access_token)]);
    expect(infoB.grantId).toBe(infoA.grantId);
    expect(gh.store.get('authorizations', 'p_carol~reelbox')?.scopes).toEqual(['profile', 'friends:read']);
  });

  it.each([
    ['an empty string', ''],
    ['garbage', 'not-a-token'],
    ['a very long string', 'x'.repeat(5000)],
  ])('When verify() gets %s, then it throws InvalidTokenError', async (_case, token) => {
    await expect(tokens.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('When a token verified before is revoked (RFC 7009), narrowed or expired, then verify() and isLive() see it at once (the in-memory view never outlives the stored token)', async () => {
    const issued = await tokens.issue({
      personId: 'p_frank',
      clientId: 'tunewave',
      scopes: ['profile', 'messages:read'],
    });
    const { grantId } = await tokens.verify(issued.access_token);
    await tokens.narrowGrant(grantId, ['profile']);
    expect((await tokens.verify(issued.access_token)).scopes).toEqual(['profile']);
    const row = gh.store.get('oidc', `AccessToken:${issued.access_token}`)!;
    await gh.store.put('oidc', { ...row, expiresAt: Date.now() - 1 });
    expect(tokens.isLive(issued.access_token)).toBe(false);
    await expect(tokens.verify(issued.access_token)).rejects.toBeInstanceOf(InvalidTokenError);
    const other = await tokens.issue({ personId: 'p_grace', clientId: 'tunewave', scopes: ['profile'] });
    await tokens.verify(other.access_token);
    const revoked = await fetch(`${gh.url}/token/revocation`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`tunewave:${PARTNER_SECRETS.tunewave}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: other.access_token }),
    });
    expect(revoked.status).toBe(200);
    expect(tokens.isLive(other.access_token)).toBe(false);
    await expect(tokens.verify(other.access_token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('When a grant is revoked, then verify() refuses its tokens and the authorization is kept as revoked', async () => {
    const issued = await tokens.issue({ personId: 'p_dave', clientId: 'tunewave', scopes: ['profile'] });
    const { grantId } = await tokens.verify(issued.access_token);
    await tokens.revokeGrant(grantId);
    await expect(tokens.verify(issued.access_token)).rejects.toBeInstanceOf(InvalidTokenError);
    expect((await refreshTokens(gh.url, tunewave, issued.refresh_token!)).body.error).toBe('invalid_grant');
    expect(gh.store.get('authorizations', 'p_dave~tunewave')).toMatchObject({
      revokedAt: expect.any(Number),
      firstGrantedAt: expect.any(Number),
    });
  });

  it("When the client's store row says shut_down, then verify() refuses its tokens (and accepts them again when reactivated)", async () => {
    const issued = await tokens.issue({ personId: 'p_erin', clientId: 'reelbox', scopes: ['profile'] });
    const row = gh.store.client('reelbox')!;
    await gh.store.put('clients', { ...row, status: 'shut_down' });
    await expect(tokens.verify(issued.access_token)).rejects.toThrow(/shut down/);
    expect(
      (
        await refreshTokens(
          gh.url,
          { ...tunewave, clientId: 'reelbox', clientSecret: PARTNER_SECRETS.reelbox },
          issued.refresh_token!,
        )
      ).status,
    ).toBe(401);
    await gh.store.put('clients', row);
    expect((await tokens.verify(issued.access_token)).clientId).toBe('reelbox');
  });

  it.each([
    ['an unknown person', { personId: 'p_nobody', clientId: 'tunewave', scopes: ['profile'] }, 404, 'not_found'],
    ['an unknown client', { personId: 'p_alice', clientId: 'nope', scopes: ['profile'] }, 404, 'not_found'],
    [
      'an unknown scope',
      { personId: 'p_alice', clientId: 'tunewave', scopes: ['profile', 'admin'] },
      400,
      'invalid_scope',
    ],
    ['no scope', { personId: 'p_alice', clientId: 'tunewave', scopes: [] }, 400, 'invalid_scope'],
  ])(
    'When issue() is asked for %s, then it throws a 4xx error and issues nothing',
    async (_case, input, status, code) => {
      const count = gh.store.all('oidc').length;
      await expect(tokens.issue(input)).rejects.toMatchObject({ status, code });
      expect(gh.store.all('oidc')).toHaveLength(count);
    },
  );

  it('When issue() is asked for a scope beyond the client registration or for a shut-down client, then it refuses', async () => {
    await gh.store.put('clients', {
      id: 'narrow',
      name: 'Narrow',
      status: 'active',
      metadata: { ...gh.store.client('tunewave')!.metadata, client_id: 'narrow', scope: 'profile' },
    });
    await expect(
      tokens.issue({ personId: 'p_alice', clientId: 'narrow', scopes: ['messages:read'] }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid_scope' });
    await gh.platform.oauth.clients.setStatus('narrow', 'shut_down');
    await expect(tokens.issue({ personId: 'p_alice', clientId: 'narrow', scopes: ['profile'] })).rejects.toMatchObject({
      status: 403,
    });
  });

  it('When a sandbox mints many tokens in a row, then each is distinct and valid (speed is measured by npm run bench, not here)', async () => {
    const minted: { access_token: string }[] = [];
    for (let i = 0; i < 50; i += 1)
      minted.push(await tokens.issue({ personId: 'p_frank', clientId: 'tunewave', scopes: ['profile'] }));
    expect(new Set(minted.map((t) => t.access_token)).size).toBe(50);
    const last = await tokens.verify(minted[49]!.access_token);
    expect(last).toMatchObject({ personId: 'p_frank', clientId: 'tunewave' });
  });
});
