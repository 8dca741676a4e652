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
    const res = await request(gh.url)
      .post('/reg')
      .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
      .send({ client_name: 'Tunewave', redirect_uris: ['https://evil.example/cb'], scope: 'profile messages:read' })
      .expect(201);
    lookAlike = res.body.client_id as string;
  });

  /** The consent page alice sees for `clientId` asking `profile messages:read` at `redirectUri`. */
  async function consentPage(clientId: string, redirectUri: string) {
    const agent = await loggedInAgent(gh.url, 'alice');
    let res = await agent.get(
      authorizationPath({
        clientId,
        redirectUri,
        scopes: ['profile', 'messages:read'],
        challenge: pkcePair().challenge,
      }),
    );
    while (res.status === 303 || res.status === 302)
      res = await agent.get(new URL(res.headers['location']!, gh.url).pathname);
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

  it.each(['com.example.app:/cb', 'com.example.app://evil.example/cb'])(
    "When a native client with the private-use redirect %s asks, then the page names the scheme (an app on the device), never a blank or the URI's made-up host",
    async (uri) => {
      const reg = await request(gh.url)
        .post('/reg')
        .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
        .send({
          client_name: 'Tunewave',
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          redirect_uris: [uri],
          scope: 'profile messages:read',
        })
        .expect(201);
      const res = await consentPage(reg.body.client_id as string, uri);
      expect(res.text).toMatch(/data-redirect-host>an app on this device \(com\.example\.app:\)</);
    },
  );

  it.each([
    ['a right-to-left override', 'Tunewave\u202Eevil'],
    ['a bidi isolate', '\u2067Tunewave'],
    ['a zero-width space', 'Tune\u200Bwave'],
    ['a byte order mark', '\uFEFFTunewave'],
    ['a Hangul filler (default-ignorable, shows as nothing)', 'Tune\u3164wave'],
    ['a Hangul choseong filler', '\u115FTunewave'],
    ['a tag character', 'Tunewave\u{E0041}'],
    ['the blank Braille pattern', 'Tunewave\u2800\u2800Verified'],
  ])(
    'When a client registers a name with %s (it reorders or hides text on the consent page), then 400 invalid_client_metadata',
    async (_what, name) => {
      const res = await request(gh.url)
        .post('/reg')
        .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
        .send({ client_name: name, redirect_uris: ['https://evil.example/cb'], scope: 'profile' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: 'invalid_client_metadata',
        error_description: expect.stringMatching(/client_name .*invisible/),
      });
    },
  );

  it('When a client registers a 101-character name (it would push the warning off the consent page), then 400 invalid_client_metadata; 100 is fine', async () => {
    const reg = (name: string) =>
      request(gh.url)
        .post('/reg')
        .set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`)
        .send({ client_name: name, redirect_uris: ['https://evil.example/cb'], scope: 'profile' });
    const long = await reg(`Tunewave${'\u00A0'.repeat(93)}`);
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringMatching(/client_name .*100 characters/),
    });
    expect((await reg('🎵'.repeat(100))).status).toBe(201);
  });

  it.each(['/login', '/consent'])(
    'When %s is served, then it forbids framing (frame-ancestors none, X-Frame-Options DENY)',
    async (which) => {
      const res =
        which === '/login'
          ? await request(gh.url).get('/login')
          : await consentPage('tunewave', `${PARTNER_URL}/auth/callback`);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    },
  );
});
