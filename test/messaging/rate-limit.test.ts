import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { tokenFor } from '../helpers/api.js';

describe('messaging API rate limit', () => {
  const gh = usePlatform({ API_RATE_LIMIT: '3', API_RATE_WINDOW_SECONDS: '60' });

  it('When a token goes over its limit, then 429 problem details with Retry-After, and other people’s tokens are unaffected', async () => {
    const alice = await tokenFor(gh, 'alice', ['profile']);
    const bob = await tokenFor(gh, 'bob', ['profile']);
    for (let i = 0; i < 3; i += 1) {
      const ok = await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${alice}`).expect(200);
      expect(ok.headers['ratelimit']).toMatch(/limit=3, remaining=\d, reset=\d+/);
    }
    const logged = gh.store.accessLog().length;
    const res = await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${alice}`);
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.body).toMatchObject({ status: 429, type: expect.stringMatching(/rate_limited$/) });
    expect(gh.store.accessLog()).toHaveLength(logged);
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${bob}`).expect(200);
  });

  it('When a token of a person spent its budget, then another token of the same person and client has its own (per token)', async () => {
    const first = await tokenFor(gh, 'dave', ['profile']);
    for (let i = 0; i < 3; i += 1)
      await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${first}`).expect(200);
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${first}`).expect(429);
    const second = await tokenFor(gh, 'dave', ['profile']);
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${second}`).expect(200);
  });

  it('When requests come without a valid token, then they are refused with 401 and count against no token', async () => {
    for (let i = 0; i < 5; i += 1)
      await request(gh.url).get('/api/v1/me').set('Authorization', 'Bearer nope').expect(401);
    const carol = await tokenFor(gh, 'carol', ['profile']);
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${carol}`).expect(200);
  });
});

describe('rate limits and a world reset', () => {
  const gh = usePlatform({ API_RATE_LIMIT: '2', API_RATE_WINDOW_SECONDS: '60', CONTROLLABLE_CLOCK: 'true' });
  const admin = () => ({ Authorization: `Bearer ${gh.config.ADMIN_TOKEN}` });

  it('When a budget was spent on a clock advanced by a day, then after a reset (clock back) a partner is not locked out', async () => {
    await request(gh.url).post('/admin/clock/advance').set(admin()).send({ seconds: 86_400 }).expect(200);
    const before = await tokenFor(gh, 'alice', ['profile']);
    for (let i = 0; i < 2; i += 1)
      await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${before}`).expect(200);
    await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${before}`).expect(429);
    await request(gh.url).post('/admin/reset').set(admin()).expect(200);
    const after = await tokenFor(gh, 'alice', ['profile']);
    const res = await request(gh.url).get('/api/v1/me').set('Authorization', `Bearer ${after}`);
    expect(res.status).toBe(200);
    expect(res.headers['ratelimit']).toMatch(/remaining=1/);
  });
});
