import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createPlatform } from '../../server/src/platform.js';
import { validWorld } from '../../server/src/store/snapshot-file.js';
import { seedWorld } from '../../seed/world.js';
import { usePlatform } from '../helpers/platform.js';

describe('Authorization server state lives in the store', () => {
  const gh = usePlatform();

  it('When tokens are issued, then grant and tokens are oidc records named model:id, and the client stays in clients', async () => {
    const issued = await gh.platform.tokens.issue({ personId: 'p_alice', clientId: 'tunewave', scopes: ['profile'] });
    const { grantId } = await gh.platform.tokens.verify(issued.access_token);
    expect(gh.store.get('oidc', `AccessToken:${issued.access_token}`)).toMatchObject({
      model: 'AccessToken',
      payload: { grantId, accountId: 'p_alice' },
    });
    expect(gh.store.get('oidc', `RefreshToken:${issued.refresh_token}`)?.model).toBe('RefreshToken');
    expect(gh.store.get('oidc', `Grant:${grantId}`)?.model).toBe('Grant');
    expect(gh.store.all('oidc').some((r) => r.model === 'Client')).toBe(false);
  });

  it('When a second platform opens the same store (a restart), then it signs with the same keys and honours earlier tokens', async () => {
    const issued = await gh.platform.tokens.issue({ personId: 'p_bob', clientId: 'reelbox', scopes: ['friends:read'] });
    const settings = gh.store.settings();
    expect(settings.jwks?.keys).toHaveLength(1);
    expect(settings.cookieKeys).toHaveLength(1);
    expect(() => validWorld(gh.store.snapshot(), 'the world with its keys')).not.toThrow(); // the next start loads them
    const restarted = createPlatform({ config: gh.config, store: gh.store });
    try {
      const [before, after] = await Promise.all([request(gh.url).get('/jwks'), request(restarted.app).get('/jwks')]);
      expect(after.body).toEqual(before.body);
      expect(JSON.stringify(after.body)).not.toContain('"d"'); // only public keys are published
      expect(await restarted.tokens.verify(issued.access_token)).toMatchObject({
        personId: 'p_bob',
        clientId: 'reelbox',
      });
    } finally {
      await restarted.close();
    }
  });

  it('When the world is reset to the seed, then the signing keys are written back to the settings', async () => {
    const keys = gh.store.settings().jwks;
    await gh.store.reset(seedWorld());
    expect(gh.store.settings().jwks).toBeUndefined();
    gh.platform.events.emit('world.reset', {});
    expect(gh.store.settings().jwks).toEqual(keys);
  });
});
