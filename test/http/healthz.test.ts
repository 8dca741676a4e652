import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';

describe('GET /healthz (readiness, as the partners answer it)', () => {
  const gh = usePlatform();

  it('When a script polls /healthz, then the platform answers 200 { ok, name } as private JSON, and starts no web session', async () => {
    const before = gh.platform.sessions.ids().length;
    const res = await request(gh.url).get('/healthz').expect(200);
    expect(res.body).toEqual({ ok: true, name: 'Glasshouse' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(gh.platform.sessions.ids()).toHaveLength(before);
  });
});
