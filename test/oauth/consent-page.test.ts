import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { authorizationPath, pkcePair } from '../helpers/oauth-flow.js';
import { usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

const PARTNER_URL = 'http://127.0.0.1:9';

describe('A look-alike client is distinguishable on the consent page (RFC 7591 §5), and no page can be framed', () => {
  const gh = usePlatform({}, { tunewaveUrl: PARTNER_URL });
  let lookAlike: string;
  beforeAll(async () => {
    const res = await request(gh.url).post('/reg').set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ client_name: 'Tunewave', redirect_uris: ['https://evil.example/cb'], scope: 'profile messages:read' }).expect(201);
    lookAlike = res.body.client_id as string;
  });

  /** The consent page alice sees for `clientId` asking `profile messages:read` at `redirectUri`. */
  async function consentPage(clientId: string, redirectUri: string) {
    const agent = await loggedInAgent(gh.url, 'alice');
    let res = await agent.get(authorizationPath({ clientId, redirectUri, scopes: ['profile', 'messages:read'], challenge: pkcePair().challenge }));
    while (res.status === 303 || res.status === 302) res = await agent.get(new URL(res.headers['location']!, gh.url).pathname);
    expect(res.text).toContain('data-consent="approve"');
    return res;
  }

  it('When the real Tunewave asks, then the page says it is a partner app and names its redirect host', async () => {
    const res = await consentPage('tunewave', `${PARTNER_URL}/auth/callback`);
    expect(res.text).toContain('data-client-verified="true"');
    expect(res.text).toMatch(/data-redirect-host>127\.0\.0\.1:9</);
  });

  it('When a self-registered client calls itself Tunewave, then the page marks it unverified and names evil.example', async () => {
    const res = await consentPage(lookAlike, 'https://evil.example/cb');
    expect(res.text).toContain('data-client-verified="false"');
    expect(res.text).toContain('Unverified app');
    expect(res.text).toMatch(/data-redirect-host>evil\.example</);
    expect(res.text).toContain(lookAlike);
  });

  it.each(['/login', '/consent'])('When %s is served, then it forbids framing (frame-ancestors none, X-Frame-Options DENY)', async (which) => {
    const res = which === '/login' ? await request(gh.url).get('/login') : await consentPage('tunewave', `${PARTNER_URL}/auth/callback`);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
