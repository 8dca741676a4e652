import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type { Agent } from 'supertest';
import { POLICY_CACHE_MS } from '../../partners/app/policy-badge.js';
import { reelboxConfig } from '../../partners/reelbox/reelbox.js';
import { freePort } from '../helpers/platform.js';
import { logInWithGlasshouse, startDemo, type RunningDemo } from './helpers/demo.js';
import { glasshouseAdmin } from './helpers/glasshouse.js';
import { startPartner } from './helpers/partner.js';

const BROAD_TIP = 'as reported in 2018: this app can read all your conversations';
const LEAST_TIP = 'this app sees only conversations it posted in';

/** The badge of a partner page: its mode and tooltip (undefined when the page has none). */
function badgeOf(html: string): { mode: string; title: string; text: string } | undefined {
  const m = /<span class="policy-badge[^"]*" data-policy="([^"]+)" title="([^"]*)">([^<]*)<\/span>/.exec(html);
  return m ? { mode: m[1]!, title: m[2]!, text: m[3]! } : undefined;
}

/** The platform's access policy (`GET /policy`) as a badge on every partner page. */
describe('the policy badge on partner pages', () => {
  let demo: RunningDemo;
  /** The partners' clock: only the badge cache reads it. */
  let clock = Date.now();
  let alice: Agent;
  beforeAll(async () => {
    demo = await startDemo({ now: () => clock });
    ({ agent: alice } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice'));
  });
  afterAll(async () => {
    await demo.close();
  });

  it.each([
    ['the landing page', '/', false, 200],
    ['the player', '/', true, 200],
    ['"what we can see"', '/seen', true, 200],
    ['a thread of "what we can see"', '/seen/threads/g_weekend', true, 200],
    ['a failure page', '/auth/callback?error=invalid_scope', false, 400],
    ['the not-found page', '/no-such-page', true, 404],
  ] as const)(
    'When a person opens %s, then it shows "policy: broad" with its tooltip',
    async (_label, path, loggedIn, status) => {
      const res = await (loggedIn ? alice : supertest(demo.tunewave.url))
        .get(path)
        .set('Accept', 'text/html')
        .expect(status);
      expect(badgeOf(res.text)).toEqual({ mode: 'broad', title: BROAD_TIP, text: 'policy: broad' });
    },
  );

  it(`When the admin switches the policy, then each partner's badge follows within ${POLICY_CACHE_MS} ms`, async () => {
    clock += POLICY_CACHE_MS; // whatever either partner remembered is stale now
    const tunewave = supertest(demo.tunewave.url);
    expect(badgeOf((await tunewave.get('/').expect(200)).text)?.mode).toBe('broad');
    await glasshouseAdmin(demo.gh).setPolicy('least-privilege');
    try {
      // Reelbox asks the platform for the first time in this period; Tunewave still shows what it fetched.
      expect(badgeOf((await supertest(demo.reelbox.url).get('/').expect(200)).text)).toEqual({
        mode: 'least-privilege',
        title: LEAST_TIP,
        text: 'policy: least-privilege',
      });
      expect(badgeOf((await tunewave.get('/').expect(200)).text)?.mode).toBe('broad');
      clock += POLICY_CACHE_MS;
      expect(badgeOf((await tunewave.get('/').expect(200)).text)).toEqual({
        mode: 'least-privilege',
        title: LEAST_TIP,
        text: 'policy: least-privilege',
      });
    } finally {
      await glasshouseAdmin(demo.gh).setPolicy('broad');
      clock += POLICY_CACHE_MS;
    }
  });
});

describe('the policy badge when the platform does not answer', () => {
  it('When nothing listens at the platform URL, then pages show "policy: unknown"', async () => {
    const reelbox = await startPartner(`http://127.0.0.1:${await freePort()}`, reelboxConfig);
    try {
      const res = await supertest(reelbox.url).get('/').expect(200);
      expect(badgeOf(res.text)).toMatchObject({ mode: 'unknown', text: 'policy: unknown' });
      const login = await supertest(reelbox.url).get('/auth/login').set('Accept', 'text/html').expect(503);
      expect(badgeOf(login.text)?.mode).toBe('unknown');
    } finally {
      await reelbox.close();
    }
  });

  it('When the platform accepts connections but never answers, then the page is drawn after the badge\'s short timeout with "policy: unknown"', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const reelbox = await startPartner(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, reelboxConfig);
    try {
      const started = Date.now();
      const res = await supertest(reelbox.url).get('/').expect(200);
      // POLICY_TIMEOUT_MS (0.5 s) plus room for a busy machine, far below the SDK's 10 s default.
      expect(Date.now() - started).toBeLessThan(3000);
      expect(badgeOf(res.text)?.mode).toBe('unknown');
    } finally {
      await reelbox.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
