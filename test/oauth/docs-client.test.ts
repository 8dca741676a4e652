import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DOCS_CLIENT_ID } from '../../server/src/oauth/docs-client.js';
import { usePlatform } from '../helpers/platform.js';

/** The token endpoint's CORS for the docs page's public client (the browser part is test/browser/api-docs-authorize.test.ts). */
describe("The API docs client: CORS for the platform's own origin only", () => {
  const gh = usePlatform();

  const tokenRequest = (origin: string, clientId = DOCS_CLIENT_ID) =>
    request(gh.url)
      .post('/token')
      .set('Origin', origin)
      .type('form')
      .send({
        grant_type: 'authorization_code',
        client_id: clientId,
        code: 'not-a-code',
        code_verifier: 'x'.repeat(43),
        redirect_uri: `${gh.url}/docs/oauth2-redirect.html`,
      });

  it("When the docs page calls /token from the platform's origin, then CORS allows it (the grant itself is judged normally)", async () => {
    const res = await tokenRequest(gh.url);
    expect(res.headers['access-control-allow-origin']).toBe(gh.url);
    expect(res.body.error).toBe('invalid_grant');
  });

  it.each([
    ['another origin with the docs client', 'http://evil.example', DOCS_CLIENT_ID],
    ['the platform origin with a partner client', '', 'tunewave'],
  ])('When %s calls /token from a browser, then it is refused', async (_name, origin, clientId) => {
    const res = await tokenRequest(origin || gh.url, clientId);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
