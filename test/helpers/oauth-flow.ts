import { createHash, randomBytes } from 'node:crypto';
import request, { type Agent, type Response } from 'supertest';
import type { TokenResponse } from '../../server/src/oauth/token-service.js';
import { csrfFrom, loggedInAgent } from './web-session.js';

/** RFC 7636 PKCE pair: a random verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/**
 * `/auth?...` (RFC 6749 §4.1.1) with PKCE S256 by default. `pkce: null` leaves PKCE out;
 * `extra` adds or overrides parameters (e.g. `code_challenge_method: 'plain'`).
 */
export function authorizationPath(input: {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  challenge?: string | null;
  extra?: Record<string, string>;
}): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: input.clientId,
    redirect_uri: input.redirectUri,
    scope: input.scopes.join(' '),
  });
  if (input.state !== undefined) params.set('state', input.state);
  if (input.challenge) {
    params.set('code_challenge', input.challenge);
    params.set('code_challenge_method', 'S256');
  }
  for (const [k, v] of Object.entries(input.extra ?? {})) params.set(k, v);
  return `/auth?${params.toString()}`;
}

/** A same-origin Location as a path for the agent; other origins stay absolute. */
function pathOf(base: string, location: string): string {
  const target = new URL(location, base);
  return target.origin === new URL(base).origin ? target.pathname + target.search : target.href;
}

/**
 * oidc-provider's self-submitting pages (e.g. ending the previous person's provider session when
 * someone else logged in on the same browser): the form a browser's script would post.
 */
function autoSubmittedForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  if (!html.includes('document.forms[0].submit()')) return undefined;
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) return undefined;
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  return { action, fields };
}

/**
 * Plays the browser from `/auth` to the client's redirect URI with a logged-in agent: follows the
 * provider's redirects and the login interaction, then approves (or denies) on the consent page when
 * it is shown, and posting the provider's self-submitting forms. Returns the redirect URI as reached (code or error in its query) and the pages seen.
 * @throws Error when the flow ends anywhere else (e.g. an error page: invalid redirect URI).
 */
export async function browseToRedirect(input: {
  url: string;
  agent: Agent;
  path: string;
  redirectUri: string;
  decision?: 'approve' | 'deny';
  /** Awaited once the consent page is shown, before the decision is posted (to interleave two browsers). */
  beforeDecision?: () => Promise<void>;
}): Promise<{ redirect: URL; consentPages: string[] }> {
  const consentPages: string[] = [];
  let res: Response = await input.agent.get(input.path);
  for (let hop = 0; hop < 12; hop += 1) {
    const uid = res.status === 200 ? /action="\/interaction\/([^/"]+)\/confirm"/.exec(res.text)?.[1] : undefined;
    if (uid) {
      consentPages.push(res.text);
      await input.beforeDecision?.();
      const action = (input.decision ?? 'approve') === 'approve' ? 'confirm' : 'abort';
      res = await input.agent
        .post(`/interaction/${uid}/${action}`)
        .type('form')
        .send({ _csrf: csrfFrom(res.text) });
      continue;
    }
    const autoPost = res.status === 200 ? autoSubmittedForm(res.text) : undefined;
    if (autoPost) {
      res = await input.agent.post(pathOf(input.url, autoPost.action)).type('form').send(autoPost.fields);
      continue;
    }
    const location = res.headers['location'];
    if (res.status < 300 || res.status >= 400 || !location)
      throw new Error(`flow stopped with HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    if (location.startsWith(input.redirectUri)) return { redirect: new URL(location), consentPages };
    res = await input.agent.get(pathOf(input.url, location));
  }
  throw new Error('too many redirects');
}

/** POST /token (RFC 6749 §4.1.3) with client_secret_basic. */
export function exchangeCode(
  url: string,
  client: ClientCredentials,
  code: string,
  verifier: string,
): Promise<Response> {
  return request(url)
    .post('/token')
    .auth(client.clientId, client.clientSecret)
    .type('form')
    .send({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier });
}

/** POST /token with a refresh token (RFC 6749 §6), optionally narrowing or widening `scope`. */
export function refreshTokens(
  url: string,
  client: ClientCredentials,
  refreshToken: string,
  scope?: string,
): Promise<Response> {
  return request(url)
    .post('/token')
    .auth(client.clientId, client.clientSecret)
    .type('form')
    .send({ grant_type: 'refresh_token', refresh_token: refreshToken, ...(scope ? { scope } : {}) });
}

/** POST /token/introspection (RFC 7662) as `client`; resolves to the JSON body. */
export async function introspect(
  url: string,
  client: ClientCredentials,
  token: string,
): Promise<{ active: boolean; [k: string]: unknown }> {
  const res = await request(url)
    .post('/token/introspection')
    .auth(client.clientId, client.clientSecret)
    .type('form')
    .send({ token });
  if (res.status !== 200) throw new Error(`introspection failed: ${res.status} ${res.text}`);
  return res.body as { active: boolean };
}

/**
 * The whole code flow over HTTP, as a partner and a person would do it: logs `username` in (or uses
 * `agent`), authorizes with PKCE S256 and `state`, approves the consent, exchanges the code.
 * @returns the RFC 6749 §5.1 token response. @throws Error on any unexpected step.
 */
export async function authorizeViaHttp(
  input: ClientCredentials & { url: string; username: string; scopes: string[]; agent?: Agent },
): Promise<TokenResponse> {
  const agent = input.agent ?? (await loggedInAgent(input.url, input.username));
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(8).toString('hex');
  const path = authorizationPath({ ...input, state, challenge });
  const { redirect } = await browseToRedirect({ url: input.url, agent, path, redirectUri: input.redirectUri });
  const code = redirect.searchParams.get('code');
  if (!code || redirect.searchParams.get('state') !== state)
    throw new Error(`no code at the redirect URI: ${redirect.href}`);
  const res = await exchangeCode(input.url, input, code, verifier);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.body as TokenResponse;
}
