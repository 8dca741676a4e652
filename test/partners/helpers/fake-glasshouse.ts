import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

/**
 * A stand-in for the platform's OAuth server and two API routes, for partner tests that must run
 * without the real one: RFC 8414 metadata, `/authorize` (approves at once, or denies), `/token`
 * (client_secret_basic, PKCE S256, refresh), `GET /api/v1/me` and `/me/friends` (bearer, RFC 9457
 * errors). `revokeAll()` and `shutDown()` reproduce what the real platform does.
 */
export interface FakeGlasshouse {
  url: string;
  /** Query of the last `/authorize` request. */
  lastAuthorize?: Record<string, string>;
  /** `Authorization` header of the last `/token` request. */
  lastTokenAuth?: string;
  /** Next `/authorize` answers `error=access_denied`. */
  denyNext: boolean;
  /** Forgets every access and refresh token (a revoked grant). */
  revokeAll(): void;
  /** Forgets access tokens only (expired): a refresh still works. */
  expireAccessTokens(): void;
  /** The client is shut down: `/token` answers invalid_client, the API 401. */
  shutDown(): void;
  close(): Promise<void>;
}

const ALICE = { id: 'p_alice', username: 'alice', displayName: 'Alice Moreau' };
const FRIENDS = [
  { id: 'p_bob', username: 'bob', displayName: 'Bob Okafor' },
  { id: 'p_carol', username: 'carol', displayName: 'Carol Lindqvist' },
];

export async function startFakeGlasshouse(client: { clientId: string; clientSecret: string }): Promise<FakeGlasshouse> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const access = new Set<string>();
  const refresh = new Set<string>();
  let shutDown = false;
  const app = express();
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeGlasshouse = {
    url,
    denyNext: false,
    revokeAll: () => {
      access.clear();
      refresh.clear();
    },
    expireAccessTokens: () => access.clear(),
    shutDown: () => {
      shutDown = true;
    },
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };

  const issue = () => {
    const t = { access_token: randomUUID(), refresh_token: randomUUID(), token_type: 'Bearer', expires_in: 3600, scope: 'profile friends:read' };
    access.add(t.access_token);
    refresh.add(t.refresh_token);
    return t;
  };

  app.get('/.well-known/oauth-authorization-server', (_req, res) => {
    res.json({ issuer: url, authorization_endpoint: `${url}/authorize`, token_endpoint: `${url}/token`, code_challenge_methods_supported: ['S256'] });
  });
  app.get('/authorize', (req, res) => {
    const q = req.query as Record<string, string>;
    fake.lastAuthorize = q;
    const back = new URL(q['redirect_uri']!);
    back.searchParams.set('state', q['state'] ?? '');
    if (fake.denyNext) {
      fake.denyNext = false;
      back.searchParams.set('error', 'access_denied');
    } else {
      const code = randomUUID();
      codes.set(code, { challenge: q['code_challenge'] ?? '', redirectUri: q['redirect_uri']! });
      back.searchParams.set('code', code);
    }
    res.redirect(303, back.href);
  });
  app.post('/token', express.urlencoded({ extended: false }), (req, res) => {
    fake.lastTokenAuth = req.get('authorization');
    const expected = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    if (shutDown || fake.lastTokenAuth !== expected || req.body.client_secret) {
      res.status(401).json({ error: 'invalid_client', error_description: 'client authentication failed' });
      return;
    }
    const body = req.body as Record<string, string>;
    if (body['grant_type'] === 'authorization_code') {
      const grant = codes.get(body['code'] ?? '');
      codes.delete(body['code'] ?? '');
      const challenge = createHash('sha256').update(body['code_verifier'] ?? '').digest('base64url');
      if (!grant || grant.challenge !== challenge || grant.redirectUri !== body['redirect_uri']) {
        res.status(400).json({ error: 'invalid_grant', error_description: 'bad code, verifier or redirect_uri' });
        return;
      }
      res.json(issue());
    } else if (body['grant_type'] === 'refresh_token' && refresh.delete(body['refresh_token'] ?? '')) {
      res.json(issue());
    } else {
      res.status(400).json({ error: 'invalid_grant', error_description: 'grant revoked' });
    }
  });
  app.use('/api/v1', (req, res, next) => {
    const token = req.get('authorization')?.replace(/^Bearer /, '') ?? '';
    if (!shutDown && access.has(token)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="glasshouse", error="invalid_token"')
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'https://glasshouse.example/problems/invalid_token', title: 'Unauthorized', status: 401, detail: 'The access token is missing, invalid, expired or revoked' }));
  });
  app.get('/api/v1/me', (_req, res) => res.json(ALICE));
  app.get('/api/v1/me/friends', (_req, res) => res.json({ items: FRIENDS, nextCursor: null }));
  return fake;
}
