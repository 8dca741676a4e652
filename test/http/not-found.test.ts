import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';

describe('a path the platform does not have', () => {
  const gh = usePlatform();

  it.each(['/no/such/page', '/monitor/nope', '/settings/apps/x/revoke'])(
    'When %s is asked for as JSON, then the answer is a 404 problem',
    async (path) => {
      const res = await request(gh.url).get(path).set('Accept', 'application/json');
      expect([res.status, res.type, res.body.status]).toEqual([404, 'application/problem+json', 404]);
    },
  );

  it("When a browser asks for it, then it gets the platform's 404 page", async () => {
    const res = await request(gh.url).get('/no/such/page').set('Accept', 'text/html');
    expect([res.status, res.type]).toEqual([404, 'text/html']);
    expect(res.text).toContain('<html');
  });

  it('When an OAuth endpoint is asked for, then the provider still answers it', async () => {
    await request(gh.url).get('/.well-known/openid-configuration').expect(200);
    await request(gh.url).get('/jwks').expect(200);
  });
});
