import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ALL_SCOPES, tokenFor } from '../helpers/api.js';
import { usePlatform } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

describe('granted versus used', () => {
  const gh = usePlatform();
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('When Tunewave used two of six scopes, then alice sees which, and "reduce" withdraws the rest from its token at once', async () => {
    const token = await tokenFor(gh, 'alice', ALL_SCOPES, 'tunewave');
    await request(gh.url).get('/api/v1/me').set(bearer(token)).expect(200);
    await request(gh.url)
      .post('/api/v1/me/messages')
      .set(bearer(token))
      .send({ to: 'p_bob', text: 'Now playing' })
      .expect(201);

    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/settings/apps').expect(200);
    expect(page.text).toMatch(/data-scope="profile" data-used="true"/);
    expect(page.text).toMatch(
      /data-scope="messages:read" data-used="false"[^>]*>[^<]*<small class="unused">— granted, never used/,
    );
    expect(page.text).toContain('data-reduce="tunewave"');

    await alice
      .post('/settings/apps/tunewave/reduce')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    expect([...(gh.store.get('authorizations', 'p_alice~tunewave')?.scopes ?? [])].sort()).toEqual([
      'messages:write',
      'profile',
    ]);
    await request(gh.url).get('/api/v1/me').set(bearer(token)).expect(200);
    const refused = await request(gh.url).get('/api/v1/threads').set(bearer(token)).expect(403);
    expect(refused.body.scope).toBe('messages:read');
    const after = await alice.get('/settings/apps').expect(200);
    expect(after.text).not.toContain('data-reduce="tunewave"');
  });

  it('When the reduce form is posted without CSRF or for an app never connected, then nothing changes', async () => {
    await tokenFor(gh, 'bob', ALL_SCOPES, 'reelbox');
    const bob = await loggedInAgent(gh.url, 'bob');
    const page = await bob.get('/settings/apps').expect(200);
    await bob.post('/settings/apps/reelbox/reduce').type('form').send({}).expect(403);
    await bob
      .post('/settings/apps/nope/reduce')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(404);
    expect(gh.store.get('authorizations', 'p_bob~reelbox')?.scopes).toHaveLength(6);
  });

  it('When an educator reduces a client on the exposure page, then every grant of it keeps only what it used', async () => {
    const carolToken = await tokenFor(gh, 'carol', ALL_SCOPES, 'reelbox');
    await request(gh.url).get('/api/v1/me/friends').set(bearer(carolToken)).expect(200);
    await request(gh.url)
      .get('/api/v1/me')
      .set(bearer(await tokenFor(gh, 'bob', ALL_SCOPES, 'reelbox')))
      .expect(200);
    const admin = await loggedInAgent(gh.url, 'alice');
    const page = await admin.get('/monitor/exposure').expect(200);
    expect(page.text).toContain('data-reduce="reelbox"');
    await admin
      .post('/monitor/clients/reelbox/reduce')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(gh.store.get('authorizations', 'p_carol~reelbox')?.scopes).toEqual(['friends:read']);
    expect(gh.store.get('authorizations', 'p_bob~reelbox')?.scopes).toEqual(['profile']);
    // A client that does not exist is a 404, as for its status form (not a silent redirect).
    await admin
      .post('/monitor/clients/nope/reduce')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(404);
  });

  it('When an educator shuts a client down on the exposure page, then its tokens stop and its people are told', async () => {
    const token = await tokenFor(gh, 'dave', ['profile'], 'reelbox');
    const admin = await loggedInAgent(gh.url, 'alice');
    const page = await admin.get('/monitor/exposure').expect(200);
    await admin
      .post('/monitor/clients/reelbox/status')
      .type('form')
      .send({ status: 'shut_down', _csrf: csrfFrom(page.text) })
      .expect(303);
    await request(gh.url).get('/api/v1/me').set(bearer(token)).expect(401);
    const dave = await (await loggedInAgent(gh.url, 'dave')).get('/settings/apps').expect(200);
    expect(dave.text).toContain('This integration has been shut down');
    await admin
      .post('/monitor/clients/reelbox/status')
      .type('form')
      .send({ status: 'gone', _csrf: csrfFrom(page.text) })
      .expect(400);
    await admin
      .post('/monitor/clients/reelbox/status')
      .type('form')
      .send({ status: 'active', _csrf: csrfFrom(page.text) })
      .expect(303);
    await request(gh.url).get('/api/v1/me').set(bearer(token)).expect(200);
  });
});
