import { describe, expect, it } from '@jest/globals';
import type { SessionData } from 'express-session';
import { BoundedSessionStore, type SessionDropReason } from '../../partners/sdk/web-server/index.js';

/** A session whose cookie expires in `ms`. */
const sessionFor = (ms: number) =>
  ({ cookie: { expires: new Date(Date.now() + ms), originalMaxAge: ms } }) as unknown as SessionData;
const has = (store: BoundedSessionStore, id: string) =>
  new Promise<boolean>((resolve) => store.get(id, (_err, s) => resolve(Boolean(s))));

describe('BoundedSessionStore (the platform and the partner apps keep their web sessions in it)', () => {
  it('When it is full, then the least recently used session is dropped — also after an expired one was forgotten in between', async () => {
    const dropped: [string, SessionDropReason][] = [];
    const store = new BoundedSessionStore({
      max: 3,
      maxAgeMs: 60_000,
      onDropped: (id, why) => dropped.push([id, why]),
    });
    try {
      store.set('old', sessionFor(60_000));
      store.set('mid', sessionFor(60_000));
      store.set('short', sessionFor(50));
      expect(await has(store, 'old')).toBe(true); // old is now the most recently used
      await new Promise((r) => setTimeout(r, 200)); // short expires, and is forgotten unasked
      expect(dropped).toEqual([['short', 'expired']]);
      store.set('new', sessionFor(60_000));
      expect(await has(store, 'old')).toBe(true);
      store.set('newest', sessionFor(60_000)); // full: mid is the least recently used
      expect(dropped).toEqual([
        ['short', 'expired'],
        ['mid', 'dropped'],
      ]);
      expect(await Promise.all(['old', 'mid', 'new', 'newest'].map((id) => has(store, id)))).toEqual([
        true,
        false,
        true,
        true,
      ]);
    } finally {
      store.close();
    }
  });

  it('When a session is destroyed (a logout) or rewritten, then it is not reported as dropped', async () => {
    const dropped: string[] = [];
    const store = new BoundedSessionStore({ max: 2, maxAgeMs: 60_000, onDropped: (id) => dropped.push(id) });
    store.set('a', sessionFor(60_000));
    store.set('a', sessionFor(60_000));
    store.destroy('a');
    expect(dropped).toEqual([]);
    store.close();
  });
});
