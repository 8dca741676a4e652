import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { stateOf, tokenFor } from '../helpers/api.js';

describe('policy modes over HTTP', () => {
  const gh = usePlatform();
  let token: string;
  const api = () => request(gh.url);
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const setPolicy = (mode: string) =>
    api().put('/admin/policy').set('Authorization', `Bearer ${gh.config.ADMIN_TOKEN}`).send({ mode }).expect(200);

  beforeAll(async () => {
    token = await tokenFor(gh, 'alice');
  });

  it('When the same token reads a thread its client never posted in, then broad answers 200 and least-privilege 404', async () => {
    await setPolicy('broad');
    await api().get('/api/v1/threads/g_family/messages').set(auth()).expect(200);
    await api().get('/api/v1/threads/g_family/participants').set(auth()).expect(200);
    const broadList = await api().get('/api/v1/threads').set(auth()).expect(200);
    expect(broadList.body.items.map((t: { id: string }) => t.id)).toContain('g_family');

    await setPolicy('least-privilege');
    const before = stateOf(gh.store);
    await api().get('/api/v1/threads/g_family/messages').set(auth()).expect(404);
    await api().get('/api/v1/threads/g_family/participants').set(auth()).expect(404);
    expect(stateOf(gh.store)).toBe(before);
    const lpList = await api().get('/api/v1/threads').set(auth()).expect(200);
    expect(lpList.body.items.map((t: { id: string }) => t.id)).not.toContain('g_family');
    expect(gh.store.accessLog().at(-1)?.policy).toBe('least-privilege');
  });

  it('When the client posts into a thread under least-privilege, then it reads that thread from its post on, never the history', async () => {
    await setPolicy('least-privilege');
    await api().post('/api/v1/threads/t_alice_carol/messages').set(auth()).send({ text: 'Now playing' }).expect(201);
    const page = await api().get('/api/v1/threads/t_alice_carol/messages').set(auth()).expect(200);
    expect(page.body.items.map((m: { text: string }) => m.text)).toEqual(['Now playing']);
    // Neither the thread list nor a delete gives the hidden history away.
    const list = await api().get('/api/v1/threads').set(auth()).expect(200);
    expect(list.body.items.find((t: { id: string }) => t.id === 't_alice_carol')).toMatchObject({ messageCount: 1 });
    const hidden = gh.store.all('messages').find((m) => m.threadId === 't_alice_carol' && m.senderId === 'p_carol')!;
    await api().delete(`/api/v1/messages/${hidden.id}`).set(auth()).expect(404);
    // The same client acting for another person reaches nothing through alice's post.
    const carol = await tokenFor(gh, 'carol', ['messages:read'], 'tunewave');
    await api().get('/api/v1/threads/t_alice_carol/messages').set('Authorization', `Bearer ${carol}`).expect(404);
    const reelbox = await tokenFor(gh, 'alice', ['messages:read'], 'reelbox');
    await api().get('/api/v1/threads/t_alice_carol/messages').set('Authorization', `Bearer ${reelbox}`).expect(404);
  });

  it('When a client deletes a message it did not send, then broad allows it and least-privilege refuses it', async () => {
    await setPolicy('least-privilege');
    const later = await gh.platform.social.send('p_carol', 't_alice_carol', { text: 'carol, after Tunewave posted' });
    const before = stateOf(gh.store);
    await api().delete(`/api/v1/messages/${later.id}`).set(auth()).expect(403); // carol's, visible (after its post)
    await api().delete('/api/v1/messages/m_0005').set(auth()).expect(404); // carol's, before its post: hidden
    await api().delete('/api/v1/messages/m_0001').set(auth()).expect(404); // alice's, in t_alice_bob (never posted in)
    expect(stateOf(gh.store)).toBe(before);
    const own = await api()
      .post('/api/v1/threads/t_alice_carol/messages')
      .set(auth())
      .send({ text: 'oops' })
      .expect(201);
    await api().delete(`/api/v1/messages/${own.body.id}`).set(auth()).expect(204);

    await setPolicy('broad');
    await api().delete('/api/v1/messages/m_0005').set(auth()).expect(204);
    await api().delete('/api/v1/messages/m_0001').set(auth()).expect(204);
    expect(gh.store.get('messages', 'm_0005')).toBeUndefined();
  });
});
