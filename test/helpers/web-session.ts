import request from 'supertest';
import type { Agent } from 'supertest';

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
  const fresh = cookiesOf(res.headers['set-cookie']);
  const names = new Set(fresh.map((c) => c.split('=')[0]));
  return [...jar.filter((c) => !names.has(c.split('=')[0])), ...fresh].join('; ');
}

function cookiesOf(setCookie: string[] | string | undefined): string[] {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]!);
}
