import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import supertest from 'supertest';
import { DELETION_PATH, DELETION_TOKEN_TYPE } from '../../partners/sdk/data-deletion.js';
import { startPartner, type RunningPartner } from './helpers/partner.js';

const PLATFORM = 'http://127.0.0.1:1';

/** A deletion token as the platform makes it, with parts overridable to forge a bad one. */
function token(
  partner: RunningPartner,
  over: { secret?: string; iss?: string; aud?: string; typ?: string; jti?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: over.typ ?? DELETION_TOKEN_TYPE })
    .setIssuer(over.iss ?? PLATFORM)
    .setAudience(over.aud ?? partner.config.clientId)
    .setSubject('p_alice')
    .setJti(over.jti ?? crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(new TextEncoder().encode(over.secret ?? partner.config.clientSecret));
}

describe('the partner data-deletion endpoint (RFC 7523-style HS256 token)', () => {
  let partner: RunningPartner;
  beforeAll(async () => {
    partner = await startPartner(PLATFORM);
  });
  afterAll(async () => {
    await partner?.close();
  });

  it('When the platform sends a valid token, then the partner answers "deleted"', async () => {
    const res = await supertest(partner.url)
      .post(DELETION_PATH)
      .type('form')
      .send({ deletion_token: await token(partner) })
      .expect(200);
    expect(res.body).toEqual({ status: 'deleted', messagesDeleted: 0, sandbox: { messagesKept: 0, sneaky: false } });
  });

  it.each([
    ['signed with another secret', { secret: 'not-the-client-secret-at-all' }],
    ['from another issuer', { iss: 'http://evil.example' }],
    ['for another client', { aud: 'reelbox' }],
    ['of another type', { typ: 'JWT' }],
  ])('When the token is %s, then 401 invalid_token', async (_name, over) => {
    const res = await supertest(partner.url)
      .post(DELETION_PATH)
      .type('form')
      .send({ deletion_token: await token(partner, over) })
      .expect(401);
    expect(res.body.error).toBe('invalid_token');
  });

  it('When a token is replayed, then the second is 401; without a token, 400', async () => {
    const once = await token(partner, { jti: 'same-jti' });
    await supertest(partner.url).post(DELETION_PATH).type('form').send({ deletion_token: once }).expect(200);
    await supertest(partner.url).post(DELETION_PATH).type('form').send({ deletion_token: once }).expect(401);
    await supertest(partner.url).post(DELETION_PATH).type('form').send({}).expect(400);
  });
});
