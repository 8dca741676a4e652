import type { IncomingMessage } from 'node:http';
import supertest from 'supertest';
import type { RunningPlatform } from '../../helpers/platform.js';

/**
 * What a tester does to the real platform while a partner runs against it: the admin API (as an
 * operator would).
 */
export function glasshouseAdmin(gh: RunningPlatform) {
  const auth = `Bearer ${gh.config.ADMIN_TOKEN}`;
  return {
    /** `POST /admin/grants/revoke`: the person's grant for the client and all its tokens end. */
    async revokeGrant(username: string, clientId: string): Promise<void> {
      await supertest(gh.url)
        .post('/admin/grants/revoke')
        .set('Authorization', auth)
        .send({ username, clientId })
        .expect(204);
    },
    /** `PATCH /admin/clients/{id}`: shuts the client down or switches it back on. */
    async setClientStatus(clientId: string, status: 'active' | 'shut_down'): Promise<void> {
      await supertest(gh.url)
        .patch(`/admin/clients/${clientId}`)
        .set('Authorization', auth)
        .send({ status })
        .expect(200);
    },
    /** `PUT /admin/policy`. */
    async setPolicy(mode: 'broad' | 'least-privilege'): Promise<void> {
      await supertest(gh.url).put('/admin/policy').set('Authorization', auth).send({ mode }).expect(200);
    },
  };
}

/**
 * Lets the access tokens `clientId` holds for `username` run out, as an hour passing would, through
 * the admin API (`POST /admin/tokens/expire`): their refresh tokens and the grant keep working.
 * @returns how many access tokens expired (0 means the test set-up is wrong).
 */
export async function expireAccessTokens(gh: RunningPlatform, clientId: string, username: string): Promise<number> {
  const res = await supertest(gh.url)
    .post('/admin/tokens/expire')
    .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
    .send({ username, clientId })
    .expect(200);
  return (res.body as { count: number }).count;
}

/** One request the platform received at its token endpoint, as it arrived. */
export interface SeenTokenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/**
 * Records the token-endpoint requests the platform's HTTP server receives from now on (the real
 * server's own `request` event: nothing is proxied or replaced).
 */
export function watchTokenRequests(gh: RunningPlatform): { seen: SeenTokenRequest[]; stop(): void } {
  const seen: SeenTokenRequest[] = [];
  const onRequest = (req: IncomingMessage) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/token') seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
  };
  gh.platform.httpServer.on('request', onRequest);
  return { seen, stop: () => gh.platform.httpServer.off('request', onRequest) };
}
