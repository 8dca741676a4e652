import type session from 'express-session';
import request from 'supertest';
import type { Agent, Response } from 'supertest';
import { io as connect, type Socket } from 'socket.io-client';

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

/** A supertest agent (cookie jar) logged into the platform's web pages as `username`. */
export async function loggedInAgent(url: string, username: string, password = 'glasshouse'): Promise<Agent> {
  const agent = request.agent(url);
  const page = await agent.get('/login').expect(200);
  await agent
    .post('/login')
    .type('form')
    .send({ username, password, _csrf: csrfFrom(page.text) })
    .expect(303);
  return agent;
}

/** Logs `agent` out of the platform (the inbox's form) and in again as `username`: a change of person in one browser. */
export async function switchPerson(agent: Agent, username: string, password = 'glasshouse'): Promise<void> {
  const home = await agent.get('/').expect(200);
  await agent
    .post('/logout')
    .type('form')
    .send({ _csrf: csrfFrom(home.text) })
    .expect(303);
  const login = await agent.get('/login').expect(200);
  await agent
    .post('/login')
    .type('form')
    .send({ username, password, _csrf: csrfFrom(login.text) })
    .expect(303);
}

/** The `Cookie` header of a fresh platform login (for socket.io clients and raw requests). */
export async function loginCookie(url: string, username: string, password = 'glasshouse'): Promise<string> {
  const page = await request(url).get('/login').expect(200);
  const jar = cookiesOf(page.headers['set-cookie']);
  const res = await request(url)
    .post('/login')
    .set('Cookie', jar.join('; '))
    .type('form')
    .send({ username, password, _csrf: csrfFrom(page.text) })
    .expect(303);
  return mergeCookies(jar.join('; '), res.headers['set-cookie']);
}

/** The cookie jar `cookie` after a response's `Set-Cookie` (a cookie set again replaces the old one). */
export function mergeCookies(cookie: string, setCookie: string[] | string | undefined): string {
  const fresh = cookiesOf(setCookie);
  const names = new Set(fresh.map((c) => c.split('=')[0]));
  return [...cookie.split('; ').filter((c) => c && !names.has(c.split('=')[0])), ...fresh].join('; ');
}

/**
 * Posts a platform form as a tab of the browser session `cookie` would: reads a page for its CSRF
 * token, posts `fields` with it. The response, and the cookie jar after it.
 */
export async function postFormAs(
  url: string,
  cookie: string,
  path: string,
  fields: Record<string, string> = {},
): Promise<{ res: Response; jar: string }> {
  const page = await request(url).get('/login').set('Cookie', cookie);
  const jar = mergeCookies(cookie, page.headers['set-cookie']);
  const res = await request(url)
    .post(path)
    .set('Cookie', jar)
    .type('form')
    .send({ ...fields, _csrf: csrfFrom(page.text) });
  return { res, jar: mergeCookies(jar, res.headers['set-cookie']) };
}

/** A socket.io client of `url` (namespace included) with the browser cookie `cookie`, once connected. */
export async function cookieSocket(url: string, cookie: string, auth?: Record<string, unknown>): Promise<Socket> {
  const socket = connect(url, {
    transports: ['websocket'],
    extraHeaders: { Cookie: cookie },
    reconnection: false,
    ...(auth ? { auth } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => (socket.close(), reject(err)));
  });
  return socket;
}

function cookiesOf(setCookie: string[] | string | undefined): string[] {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]!);
}

/** Sessions held by `store` (express-session's `length`). */
export const sessionCount = (store: session.Store) =>
  new Promise<number>((resolve, reject) => store.length!((err, n) => (err ? reject(err) : resolve(n ?? 0))));

/** Waits (up to `ms`) until `store` holds no session; resolves with how many are left. */
export async function sessionsAfter(store: session.Store, ms: number): Promise<number> {
  for (const end = Date.now() + ms; Date.now() < end && (await sessionCount(store)) > 0;)
    await new Promise((r) => setTimeout(r, 50));
  return sessionCount(store);
}
