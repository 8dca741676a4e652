import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { usePlatform } from '../helpers/platform.js';
import { tokenFor } from '../helpers/api.js';

/**
 * A cursor names an item of the list being read (README "Paging"): an id from elsewhere — another
 * thread's message, a thread the token cannot read, someone not in the list — is refused exactly as
 * an unknown id is, so a cursor never tells a time, a name, or that something exists.
 */
describe('cursors are ids of the list being read', () => {
  const gh = usePlatform();
  let bob: string;
  beforeAll(async () => {
    bob = await tokenFor(gh, 'bob');
  });
  const get = (path: string) =>
    request(gh.url)
      .get(`/api/v1${path}`)
      .set({ Authorization: `Bearer ${bob}` });
  /** The answer without what differs between two refusals of the same kind (the instance path). */
  const refusal = async (path: string) => {
    const res = await get(path);
    return { status: res.status, type: res.body.type as string, detail: res.body.detail as string };
  };
  const familyMessage = () => gh.store.messageIdsIn('g_family')[0]!;

  it('When bob (not in g_family) names g_family or one of its messages as a cursor, then he gets the 400 an unknown id gets, with no key echoed', async () => {
    expect(gh.store.get('threads', 'g_family')!.participantIds).not.toContain('p_bob');
    const unknownThread = await refusal('/threads?since_id=g_nope');
    expect(unknownThread).toMatchObject({ status: 400, type: expect.stringMatching(/\/invalid_cursor$/) });
    expect(await refusal('/threads?since_id=g_family')).toEqual(unknownThread);
    expect(await refusal('/threads?max_id=g_family')).toEqual(await refusal('/threads?max_id=g_nope'));

    const unknownMessage = await refusal('/threads/t_alice_bob/messages?since_id=m_nope');
    expect(unknownMessage).toMatchObject({ status: 400, type: expect.stringMatching(/\/invalid_cursor$/) });
    for (const param of ['since_id', 'min_id', 'max_id', 'before']) {
      expect(await refusal(`/threads/t_alice_bob/messages?${param}=${familyMessage()}`)).toEqual(
        await refusal(`/threads/t_alice_bob/messages?${param}=m_nope`),
      );
    }
  });

  it('When bob names a message of his own thread, then it is a cursor, and an empty page hands it back as given', async () => {
    const newest = (await get('/threads/t_alice_bob/messages?limit=2').expect(200)).body.items[0].id as string;
    const empty = await get(`/threads/t_alice_bob/messages?since_id=${newest}`).expect(200);
    expect(empty.body).toEqual({ items: [], nextCursor: null, prevCursor: newest });
    const older = await get(`/threads/t_alice_bob/messages?max_id=${newest}&limit=1`).expect(200);
    expect(older.body.items).toHaveLength(1);
  });

  it('When a stamped message id (its time is in the id) is named in another thread, then existing or not it reads the same', async () => {
    const alice = await tokenFor(gh, 'alice');
    const posted = await request(gh.url)
      .post('/api/v1/threads/g_family/messages')
      .set({ Authorization: `Bearer ${alice}` })
      .send({ text: 'family only' })
      .expect(201);
    const made = `${(posted.body.id as string).slice(0, -8)}00000000`; // same time, no such message
    const a = await get(`/threads/t_alice_bob/messages?since_id=${posted.body.id}`).expect(200);
    const b = await get(`/threads/t_alice_bob/messages?since_id=${made}`).expect(200);
    expect({ ...a.body, prevCursor: null }).toEqual({ ...b.body, prevCursor: null });
    expect(a.body.prevCursor).toBe(a.body.items.length ? expect.any(String) : posted.body.id);
  });

  it('When bob names someone who is not his friend in his friends list, then it is the 400 of an unknown id, and never their name', async () => {
    const friends = new Set(
      ((await get('/me/friends?limit=100').expect(200)).body.items as { id: string }[]).map((p) => p.id),
    );
    const stranger = gh.store.all('people').find((p) => p.id !== 'p_bob' && !friends.has(p.id))!;
    expect(stranger).toBeDefined();
    const unknown = await refusal('/me/friends?since_id=p_nope');
    expect(unknown).toMatchObject({ status: 400, type: expect.stringMatching(/\/invalid_cursor$/) });
    expect(await refusal(`/me/friends?since_id=${stranger.id}`)).toEqual(unknown);
    expect(await refusal(`/me/friends?max_id=${stranger.id}`)).toEqual(await refusal('/me/friends?max_id=p_nope'));
  });

  it('When, under least-privilege, a cursor names a message hidden below the client’s first post, then it is the 400 of an unknown id', async () => {
    const admin = { Authorization: `Bearer ${gh.config.ADMIN_TOKEN}` };
    await request(gh.url).put('/admin/policy').set(admin).send({ mode: 'least-privilege' }).expect(200);
    try {
      const hidden = gh.store.messageIdsIn('t_alice_bob')[0]!;
      await request(gh.url)
        .post('/api/v1/threads/t_alice_bob/messages')
        .set({ Authorization: `Bearer ${bob}` })
        .send({ text: 'from now on' })
        .expect(201);
      for (const param of ['since_id', 'max_id', 'min_id'])
        expect(await refusal(`/threads/t_alice_bob/messages?${param}=${hidden}`)).toEqual(
          await refusal(`/threads/t_alice_bob/messages?${param}=m_nope`),
        );
    } finally {
      await request(gh.url).put('/admin/policy').set(admin).send({ mode: 'broad' }).expect(200);
    }
  });

  it('When an opaque cursor holds a number JSON cannot keep finite (1e400), then it is a 400 invalid_cursor', async () => {
    const infinite = `c.${Buffer.from('[1e400,"m_1"]').toString('base64url')}`;
    expect(await refusal(`/threads/t_alice_bob/messages?max_id=${infinite}`)).toMatchObject({
      status: 400,
      type: expect.stringMatching(/\/invalid_cursor$/),
    });
  });
});
