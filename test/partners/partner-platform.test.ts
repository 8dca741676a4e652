import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { csrfFrom } from '../helpers/web-session.js';
import { logInWithGlasshouse, startDemo, type RunningDemo } from './helpers/demo.js';
import { csrfOf, playAs } from './helpers/partner.js';

/** Both partners against the real platform: login, "now playing", what we can see, revocation, shut-down. */
describe('partners with the real platform', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo.close();
  });

  it('When alice logs into Tunewave with Glasshouse and approves, then the player lists her friends from the platform', async () => {
    const { agent, callback } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    expect(callback.status).toBe(303);
    expect(callback.headers['location']).toBe('/');
    const home = await agent.get('/').expect(200);
    for (const name of ['Bob Okafor', 'Carol Lindqvist', 'Erin Castillo', 'Heidi Brandt', 'Ivan Duarte'])
      expect(home.text).toContain(name);
    expect(home.text).not.toContain('Dave Nakamura'); // not alice's friend
  });

  it('When alice plays a track with bob chosen, then bob\'s 1:1 thread holds a "now playing" message sent via Tunewave', async () => {
    const { agent } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    const csrf = csrfOf((await agent.get('/').expect(200)).text);
    await agent.post('/share').type('form').send({ _csrf: csrf, friend: 'p_bob' }).expect(303);
    const play = await playAs(agent, csrf, 'joplin-entertainer').expect(200);
    expect(play.body).toEqual({ sent: ['Bob Okafor'], failed: [] });
    const ids = demo.gh.store.messageIdsIn('t_alice_bob');
    const last = demo.gh.store.get('messages', ids[ids.length - 1]!)!;
    expect(last).toMatchObject({
      senderId: 'p_alice',
      via: 'tunewave',
      nowPlaying: { kind: 'track', title: 'The Entertainer', artist: 'Scott Joplin' },
    });
  });

  it('When alice denies consent on Glasshouse, then Reelbox shows the consent-denied page', async () => {
    const { callback } = await logInWithGlasshouse(demo.gh, demo.reelbox, 'carol', 'deny');
    expect(callback.status).toBe(403);
    expect(callback.text).toContain('You did not allow Reelbox');
  });

  it('When Reelbox reads a group thread it never wrote in, then it sees every message and participant, and can delete one', async () => {
    const { agent } = await logInWithGlasshouse(demo.gh, demo.reelbox, 'alice');
    const list = await agent.get('/seen').expect(200);
    expect(list.text).toContain('Weekend plans');
    expect(list.text).toContain('With Bob Okafor'); // a 1:1, named after its participants
    expect(list.text).toContain('This is a demonstration');
    const thread = await agent.get('/seen/threads/g_weekend').expect(200);
    expect(thread.text).toContain('Please no peanuts, I am allergic.');
    expect(thread.text).toContain('Erin Castillo'); // a bystander: never used Reelbox
    const messageId = demo.gh.store
      .messageIdsIn('g_weekend')
      .find((id) => demo.gh.store.get('messages', id)!.text.startsWith('Hike on Saturday'))!;
    await agent
      .post(`/seen/messages/${messageId}/delete`)
      .type('form')
      .send({ _csrf: csrfOf(thread.text), threadId: 'g_weekend' })
      .expect(303);
    expect(demo.gh.store.get('messages', messageId)).toBeUndefined();
  });

  it('When alice removes Tunewave under "Apps and websites", then Tunewave sends her back to log in with a notice', async () => {
    const { agent, platformAgent } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    await agent.get('/').expect(200);
    const apps = await platformAgent.get('/settings/apps').expect(200);
    await platformAgent
      .post('/settings/apps/tunewave/revoke')
      .type('form')
      .send({ _csrf: csrfFrom(apps.text) })
      .expect(303);
    await agent.get('/').set('Accept', 'text/html').expect(303).expect('Location', '/?notice=revoked');
    expect((await agent.get('/?notice=revoked').expect(200)).text).toContain('Your Glasshouse access was revoked');
    await agent.get('/seen').set('Accept', 'text/html').expect(303).expect('Location', '/');
  });

  it('When the platform shuts Reelbox down, then Reelbox says this integration has been shut down', async () => {
    const { agent } = await logInWithGlasshouse(demo.gh, demo.reelbox, 'bob');
    await agent.get('/').expect(200);
    await supertest(demo.gh.url)
      .patch('/admin/clients/reelbox')
      .set('Authorization', `Bearer ${demo.gh.config.ADMIN_TOKEN}`)
      .send({ status: 'shut_down' })
      .expect(200);
    const page = await agent.get('/').set('Accept', 'text/html').expect(503);
    expect(page.text).toContain('This integration has been shut down');
  });
});
