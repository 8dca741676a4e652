import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { io as connect, type Socket } from 'socket.io-client';
import type { MonitorEvent } from '../../server/src/monitor/monitor-event.js';
import { PARTNER_SECRETS } from '../../seed/world.js';
import { ALL_SCOPES, tokenFor } from '../helpers/api.js';
import { authorizationPath, authorizeViaHttp, pkcePair, refreshTokens } from '../helpers/oauth-flow.js';
import { loggedInAgent } from '../helpers/web-session.js';
import { until, usePlatform } from '../helpers/platform.js';

/**
 * The educator's story, scripted: Tunewave, authorized by Alice (and Bob), reads and writes through
 * Alice's token. Expected exposure numbers are counted by hand from seed/world.ts.
 */
describe('the data flow of a scripted Tunewave story', () => {
  const gh = usePlatform({}, { tunewaveUrl: 'http://127.0.0.1:9' });
  let monitor: Socket;
  const seen: MonitorEvent[] = [];
  let aliceToken: string;
  let aliceRefresh: string;
  const admin = () => ({ Authorization: `Bearer ${gh.config.ADMIN_TOKEN}` });
  const api = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    monitor = connect(`${gh.url}/monitor`, {
      transports: ['websocket'],
      auth: { token: gh.config.ADMIN_TOKEN },
      reconnection: false,
    });
    monitor.on('access', (e: MonitorEvent) => seen.push(e));
    await new Promise<void>((resolve, reject) => {
      monitor.once('history', () => resolve());
      monitor.once('connect_error', reject);
    });
  });
  afterAll(async () => {
    monitor.disconnect();
  });

  it('When alice logs into Tunewave through the browser flow, then the monitor gets each OAuth step', async () => {
    const client = {
      clientId: 'tunewave',
      clientSecret: PARTNER_SECRETS.tunewave,
      redirectUri: 'http://127.0.0.1:9/auth/callback',
    };
    const tokens = await authorizeViaHttp({ ...client, url: gh.url, username: 'alice', scopes: ALL_SCOPES });
    aliceToken = tokens.access_token;
    aliceRefresh = tokens.refresh_token!;
    const refreshed = await refreshTokens(gh.url, client, tokens.refresh_token!);
    expect(refreshed.status).toBe(200);
    aliceToken = refreshed.body.access_token;
    await until(() => seen.some((e) => e.details.step === 'refresh'));
    const steps = seen.filter((e) => e.kind === 'oauth').map((e) => e.details.step);
    for (const step of ['authorize', 'consent', 'code', 'token', 'refresh']) expect(steps).toContain(step);
    expect(steps.indexOf('authorize')).toBeLessThan(steps.indexOf('token'));
    const token = seen.find((e) => e.details.step === 'token')!;
    expect(token).toMatchObject({ clientId: 'tunewave', personId: 'p_alice', to: 'Glasshouse' });
    expect(JSON.stringify(seen)).not.toContain(tokens.access_token);
  });

  it("When Tunewave uses alice's token, then every API call reaches the monitor with scope, threads, messages and bystanders", async () => {
    await tokenFor(gh, 'bob', ['profile']); // bob authorized Tunewave too: never a bystander
    seen.length = 0;
    await request(gh.url).get('/api/v1/me').set(api(aliceToken)).expect(200);
    await request(gh.url).get('/api/v1/me/friends').set(api(aliceToken)).expect(200);
    await request(gh.url).get('/api/v1/threads/g_weekend/messages').set(api(aliceToken)).expect(200);
    await request(gh.url).get('/api/v1/threads/g_family/participants').set(api(aliceToken)).expect(200);
    await request(gh.url)
      .post('/api/v1/me/messages')
      .set(api(aliceToken))
      .send({
        to: 'p_bob',
        text: 'Now playing',
        nowPlaying: { kind: 'track', title: 'Gymnopédie No. 1', artist: 'Erik Satie' },
      })
      .expect(201);
    const peanuts = gh.store.all('messages').find((m) => m.text.includes('peanuts'))!;
    await request(gh.url).delete(`/api/v1/messages/${peanuts.id}`).set(api(aliceToken)).expect(204);
    await until(() => seen.filter((e) => e.kind === 'access').length === 6);

    const read = seen.find((e) => e.details.operation === 'GET /api/v1/threads/{threadId}/messages')!;
    expect(read).toMatchObject({
      kind: 'access',
      from: 'Glasshouse',
      to: 'Tunewave',
      clientId: 'tunewave',
      personId: 'p_alice',
    });
    expect(read.details).toMatchObject({ action: 'read', scope: 'messages:read', channel: 'api', policy: 'broad' });
    expect(read.details.threads).toEqual([{ id: 'g_weekend', title: 'Weekend plans' }]);
    expect(read.details.messages!.map((m) => m.snippet)).toContain('Hike on Saturday? Forecast looks sunny.');
    const flagged = Object.fromEntries(read.details.people!.map((p) => [p.id, p.bystander]));
    expect(flagged).toEqual({ p_alice: false, p_bob: false, p_carol: true, p_erin: true });
    const write = seen.find((e) => e.details.action === 'write')!;
    expect(write).toMatchObject({ from: 'Tunewave', to: 'Glasshouse' });
    expect(write.details.scope).toBe('messages:write');
    expect(seen.find((e) => e.details.action === 'delete')!.details.people).toEqual([
      { id: 'p_erin', name: 'Erin Castillo', bystander: true },
    ]);
  });

  it('When the exposure is asked for, then it matches the numbers counted by hand from the seed', async () => {
    const res = await request(gh.url).get('/admin/exposure?clientId=tunewave').set(admin()).expect(200);
    const x = res.body.clients[0];
    const usernames = (list: { username: string }[]) => list.map((p) => p.username).sort();
    expect(usernames(x.authorizedPeople)).toEqual(['alice', 'bob']);
    // /me: alice · friends: bob carol erin heidi ivan · g_weekend: alice bob carol erin · g_family: alice heidi ivan · delete: erin
    expect(usernames(x.peopleSeen)).toEqual(['alice', 'bob', 'carol', 'erin', 'heidi', 'ivan']);
    expect(usernames(x.bystanders)).toEqual(['carol', 'erin', 'heidi', 'ivan']);
    expect(x).toMatchObject({ messagesRead: 5, messagesWritten: 1, messagesDeleted: 1, accesses: 6 });
    expect(x.threads).toEqual(['g_family', 'g_weekend', 't_alice_bob']);
    expect(x.scopes.unused).toEqual([]);
    const reelbox = await request(gh.url).get('/admin/exposure?clientId=reelbox').set(admin()).expect(200);
    expect(reelbox.body.clients[0]).toMatchObject({ peopleSeen: [], bystanders: [], messagesRead: 0 });
    const erin = await request(gh.url).get('/admin/exposure?username=erin').set(admin()).expect(200);
    expect(erin.body.person.apps).toEqual([
      expect.objectContaining({
        clientId: 'tunewave',
        authorized: false,
        accesses: 3,
        onBehalfOf: [{ id: 'p_alice', username: 'alice' }],
        threads: ['g_weekend'],
      }),
    ]);
    const csv = await request(gh.url).get('/monitor/exposure.csv').set(admin()).expect(200);
    expect(csv.text.split('\n')[2]).toBe(
      '"tunewave","Tunewave","active",2,6,4,5,1,1,3,"Carol Lindqvist; Erin Castillo; Heidi Brandt; Ivan Duarte"',
    );
  });

  it('When the policy switches to least-privilege, then the same token loses the thread it never wrote in', async () => {
    await request(gh.url).get('/api/v1/threads/g_weekend/messages').set(api(aliceToken)).expect(200);
    await request(gh.url).put('/admin/policy').set(admin()).send({ mode: 'least-privilege' }).expect(200);
    await request(gh.url).get('/api/v1/threads/g_weekend/messages').set(api(aliceToken)).expect(404);
    await request(gh.url).get('/api/v1/threads/t_alice_bob/messages').set(api(aliceToken)).expect(200);
    await until(() => seen.some((e) => e.kind === 'admin' && e.label === 'policy → least-privilege'));
    await request(gh.url).put('/admin/policy').set(admin()).send({ mode: 'broad' }).expect(200);
  });

  it('When a partner socket receives a message, then the delivery reaches the monitor too', async () => {
    const partner = connect(`${gh.url}/partners`, {
      transports: ['websocket'],
      auth: { token: aliceToken },
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      partner.once('connect', () => resolve());
      partner.once('connect_error', reject);
    });
    seen.length = 0;
    await gh.platform.social.send('p_carol', 'g_weekend', { text: 'Is Tunewave listening?' });
    await until(() => seen.some((e) => e.details.channel === 'socket'));
    const delivery = seen.find((e) => e.details.channel === 'socket')!;
    expect(delivery).toMatchObject({ from: 'Glasshouse', to: 'Tunewave', clientId: 'tunewave' });
    expect(delivery.details.people!.find((p) => p.id === 'p_carol')).toMatchObject({ bystander: true });
    partner.disconnect();
  });

  it('When an admin shuts Tunewave down, then its token gets 401, its socket is cut, and its consent page refuses', async () => {
    const partner = connect(`${gh.url}/partners`, {
      transports: ['websocket'],
      auth: { token: aliceToken },
      reconnection: false,
    });
    await new Promise<void>((resolve) => partner.once('connect', () => resolve()));
    const cut = new Promise<string>((resolve) => partner.once('disconnect', resolve));
    await request(gh.url).patch('/admin/clients/tunewave').set(admin()).send({ status: 'shut_down' }).expect(200);
    await cut;
    const res = await request(gh.url).get('/api/v1/me').set(api(aliceToken)).expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    await request(gh.url)
      .post('/admin/tokens')
      .set(admin())
      .send({ username: 'alice', clientId: 'tunewave', scopes: ['profile'] })
      .expect(403);
    const browser = await loggedInAgent(gh.url, 'alice');
    const consent = await browser.get(
      authorizationPath({
        clientId: 'tunewave',
        redirectUri: 'http://127.0.0.1:9/auth/callback',
        scopes: ['profile'],
        state: 's',
        challenge: pkcePair().challenge,
      }),
    );
    expect(consent.status).toBe(400);
    expect(consent.headers['location']).toBeUndefined();
    expect(consent.text).toMatch(/shut down/i);
    await until(() => seen.some((e) => e.kind === 'admin' && e.label === 'Tunewave shut down'));
    // A refused refresh is drawn from Tunewave, not from a new actor called "client" (here and in Mermaid).
    const client = {
      clientId: 'tunewave',
      clientSecret: PARTNER_SECRETS.tunewave,
      redirectUri: 'http://127.0.0.1:9/auth/callback',
    };
    expect((await refreshTokens(gh.url, client, aliceRefresh)).status).toBe(401);
    await until(() => seen.some((e) => e.label === 'refresh refused'));
    expect(seen.find((e) => e.label === 'refresh refused')).toMatchObject({
      from: 'Tunewave',
      to: 'Glasshouse',
      clientId: 'tunewave',
    });
    const mermaid = (await request(gh.url).get('/monitor/sequence.mmd').set(admin()).expect(200)).text;
    expect(mermaid).not.toMatch(/participant \w+ as client$/m);
    expect(mermaid).not.toContain('shut_down');
    expect(seen.map((e) => e.label).join('\n')).not.toContain('shut_down');
    await request(gh.url).patch('/admin/clients/tunewave').set(admin()).send({ status: 'active' }).expect(200);
    await request(gh.url).get('/api/v1/me').set(api(aliceToken)).expect(200);
  });
});
