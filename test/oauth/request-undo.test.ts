import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { filePersistence } from '../../server/src/store/persistence.js';
import { openStore, type Store } from '../../server/src/store/store.js';
import { RequestUndo, isStorageRefusal, type Undo } from '../../server/src/oauth/request-undo.js';
import { seedWorld } from '../../seed/world.js';
import { faultyDisk } from '../helpers/faulty-disk.js';

let dir: string;
let store: Store;
const faults = faultyDisk();
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-undo-aba-'));
  store = await openStore(filePersistence(path.join(dir, 'glasshouse.json'), faults.disk), () => seedWorld());
});
afterAll(async () => {
  faults.heal();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Two requests write the same row in turn (`first`, then `second`), each then meets a refused step in
 * one refused batch; the first gives back first. Returns the row once both gave back.
 */
async function twoRefusedRequests(first: (id: string) => Promise<void>, second: (id: string) => Promise<void>) {
  const undo = new RequestUndo(store);
  const A: Undo[] = [];
  const B: Undo[] = [];
  let gate!: () => void;
  const bothWrote = new Promise<void>((r) => (gate = r));
  const request = (undos: Undo[], who: string, write: (id: string) => Promise<void>) =>
    undo.within(undos, async () => {
      await write('Session:shared');
      await bothWrote;
      await store.put('oidc', { id: `Session:${who}-later`, model: 'Session', payload: {} });
    });
  const a = request(A, 'a', first).catch((e: unknown) => e);
  await store.flush();
  const b = request(B, 'b', second).catch((e: unknown) => e);
  await store.flush();
  faults.failNext('write', 'ENOSPC', 1); // both later steps refused in one batch
  gate();
  const [ea, eb] = await Promise.all([a, b]);
  faults.heal();
  expect(isStorageRefusal(ea) && isStorageRefusal(eb)).toBe(true);
  await undo.giveBack(A);
  await undo.giveBack(B);
  await store.flush();
  undo.close();
  return store.get('oidc', 'Session:shared');
}
const put = (who: string) => (id: string) => store.put('oidc', { id, model: 'Session', payload: { who } });

describe('RequestUndo when two refused requests wrote the same row in turn', () => {
  it('When the first added it and the second replaced it, and the first gives back first, then the row of neither stays', async () => {
    expect(await twoRefusedRequests(put('a'), put('b'))).toBeUndefined();
  });

  it('When the first deleted it and the second added it again, and the first gives back first, then the row deleted comes back', async () => {
    await store.put('oidc', { id: 'Session:shared', model: 'Session', payload: { who: 'before' } });
    await store.flush();
    const back = await twoRefusedRequests((id) => store.delete('oidc', id), put('b'));
    expect(back?.payload).toEqual({ who: 'before' });
  });
});

describe('giving back a row the store keeps in another form', () => {
  it('When a request writes a message (kept in its compact form, not as the object given) and is given back, then the message is gone', async () => {
    const undo = new RequestUndo(store);
    const undos: Undo[] = [];
    await undo.within(undos, async () => {
      await store.put('messages', {
        id: 'm_undo',
        threadId: 't_alice_bob',
        senderId: 'p_alice',
        text: 'x',
        createdAt: 1,
      });
    });
    await undo.giveBack(undos);
    expect(store.get('messages', 'm_undo')).toBeUndefined();
    undo.close();
  });

  const message = (id: string, text: string) => ({
    id,
    threadId: 't_alice_bob',
    senderId: 'p_alice',
    text,
    createdAt: 1,
  });

  it('When one request adds a message and then replaces it, and is given back, then the message is gone (the row put back first is kept as a copy too)', async () => {
    const undo = new RequestUndo(store);
    const undos: Undo[] = [];
    await undo.within(undos, async () => {
      await store.put('messages', message('m_twice', 'one'));
      await store.put('messages', message('m_twice', 'two'));
    });
    await undo.giveBack(undos);
    expect(store.get('messages', 'm_twice')).toBeUndefined();
    undo.close();
  });

  it('When request A adds a message and request B replaces it, and B then A are given back, then the message is gone', async () => {
    const undo = new RequestUndo(store);
    const A: Undo[] = [];
    const B: Undo[] = [];
    await undo.within(A, () => store.put('messages', message('m_ab', 'a')));
    await undo.within(B, () => store.put('messages', message('m_ab', 'b')));
    await undo.giveBack(B);
    await undo.giveBack(A);
    expect(store.get('messages', 'm_ab')).toBeUndefined();
    undo.close();
  });
});
