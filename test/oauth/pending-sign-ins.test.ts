import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { authorizationPath, pkcePair } from '../helpers/oauth-flow.js';

const PARTNER_URL = 'http://127.0.0.1:9';
const REDIRECT_URI = `${PARTNER_URL}/auth/callback`;

describe('sign-ins in progress are bounded (PENDING_SIGN_INS_MAX)', () => {
  const gh = usePlatform({ CONTROLLABLE_CLOCK: 'true', PENDING_SIGN_INS_MAX: '3' }, { tunewaveUrl: PARTNER_URL });
  /** A browser without cookies starting "Log in with Glasshouse" on Tunewave, with a long `state`. */
  const startSignIn = () =>
    request(gh.url).get(
      authorizationPath({
        clientId: 'tunewave',
        redirectUri: REDIRECT_URI,
        scopes: ['profile'],
        state: 'x'.repeat(4_000),
        challenge: pkcePair().challenge,
      }),
    );

  it('When more sign-ins start than the bound and none finishes, then the next is answered temporarily_unavailable at the client and nothing more is kept; once they expire there is room again', async () => {
    for (let i = 0; i < 3; i++) {
      const started = await startSignIn().expect(303);
      expect(started.headers['location']).toMatch(/^\/interaction\//);
    }
    const kept = gh.store.all('oidc').length;
    const refused = await startSignIn().expect(303);
    const back = new URL(refused.headers['location'] as string);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(back.searchParams.get('state')).toBe('x'.repeat(4_000));
    expect(gh.store.pendingSignIns()).toBe(3);
    expect(gh.store.all('oidc')).toHaveLength(kept);

    // Past their 10 minutes the housekeeping purges them.
    await request(gh.url)
      .post('/admin/clock/advance')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ seconds: 601 })
      .expect(200);
    await gh.platform.housekeeping.runOnce();
    expect(gh.store.pendingSignIns()).toBe(0);
    expect((await startSignIn().expect(303)).headers['location']).toMatch(/^\/interaction\//);
  });
});
