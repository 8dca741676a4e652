import { describe, expect, it } from '@jest/globals';
import {
  connectPartnerSocket,
  createDPoPKey,
  createGlasshouseClient,
  whenConnected,
} from '../../partners/sdk/index.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { usePlatform } from '../helpers/platform.js';
import { sdkTokens } from '../helpers/sdk-tokens.js';

const PARTNER_URL = 'http://127.0.0.1:9';

/**
 * DPoP proofs carry the client's wall-clock `iat`, and oidc-provider judges them on the wall clock
 * at the token endpoint: the resource server and the partner socket must too, whatever a tester did
 * to the platform clock (README "Time, faults and expiry for testers").
 */
describe('a DPoP-bound partner when a tester moves the platform clock', () => {
  const gh = usePlatform({ CONTROLLABLE_CLOCK: 'true' }, { tunewaveUrl: PARTNER_URL });

  it('When the clock passes an hour, then the SDK refreshes the DPoP-bound token and its calls and socket work', async () => {
    const dpop = createDPoPKey();
    const credentials = { clientId: 'tunewave', clientSecret: PARTNER_SECRETS.tunewave };
    const tokens = await sdkTokens({
      platformUrl: gh.url,
      partnerUrl: PARTNER_URL,
      username: 'alice',
      scopes: ['profile', 'messages:read'],
      dpop,
    });
    let accessToken = tokens.accessToken;
    const client = createGlasshouseClient({
      baseUrl: gh.url,
      accessToken,
      refreshToken: tokens.refreshToken,
      ...credentials,
      dpop,
      onTokens: (t) => {
        accessToken = t.accessToken;
      },
    });
    expect((await client.me()).username).toBe('alice');

    const advanced = await fetch(`${gh.url}/admin/clock/advance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gh.config.ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 3600 }),
    });
    expect(advanced.status).toBe(200);
    expect((await client.me()).username).toBe('alice'); // 401 (expired on the platform clock), refresh, retry
    expect(accessToken).not.toBe(tokens.accessToken);

    const socket = connectPartnerSocket({ baseUrl: gh.url, token: () => accessToken, dpop, reconnection: false });
    try {
      await whenConnected(socket);
    } finally {
      socket.disconnect();
    }
  });
});
