import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { csrfFrom } from '../helpers/web-session.js';
import { logInWithGlasshouse, startDemo, type RunningDemo } from './helpers/demo.js';
import { openFeed, sessionCookie, type EventStream } from './helpers/event-stream.js';

/** The live feed: the partner's server-held `/partners` socket, relayed to the page over SSE. */
describe('partner live feed', () => {
  let demo: RunningDemo;
  let feed: EventStream | undefined;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterEach(() => feed?.close());
  afterAll(async () => {
    await demo.close();
  });

  it('When a friend replies, then the page gets it; when the person removes the app on Glasshouse, then the page is told to log in again', async () => {
    const { callback, platformAgent } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    feed = await openFeed(demo.tunewave.url, sessionCookie(callback.headers['set-cookie'], 'tunewave.sid'));
    expect(await feed.next('status')).toEqual({ live: false });
    expect(await feed.next('status')).toEqual({ live: true });

    await demo.gh.platform.social.send('p_bob', 't_alice_bob', { text: 'Loved that track' });
    expect(await feed.next('message')).toMatchObject({
      threadId: 't_alice_bob',
      senderName: 'Bob Okafor',
      text: 'Loved that track',
      mine: false,
    });

    const apps = await platformAgent.get('/settings/apps').expect(200);
    await platformAgent
      .post('/settings/apps/tunewave/revoke')
      .type('form')
      .send({ _csrf: csrfFrom(apps.text) })
      .expect(303);
    expect(await feed.next('ended')).toEqual({ reason: 'revoked', redirect: '/?notice=revoked' });
  });

  it('When the platform shuts the partner down, then the open page is told this integration has been shut down', async () => {
    const { callback } = await logInWithGlasshouse(demo.gh, demo.reelbox, 'bob');
    feed = await openFeed(demo.reelbox.url, sessionCookie(callback.headers['set-cookie'], 'reelbox.sid'));
    await feed.next('status');
    expect(await feed.next('status')).toEqual({ live: true });
    await supertest(demo.gh.url)
      .patch('/admin/clients/reelbox')
      .set('Authorization', `Bearer ${demo.gh.config.ADMIN_TOKEN}`)
      .send({ status: 'shut_down' })
      .expect(200);
    expect(await feed.next('ended')).toEqual({ reason: 'shut_down', redirect: '/?notice=shut_down' });
  });
});
