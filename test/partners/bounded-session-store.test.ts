import { describe, expect, it } from '@jest/globals';
import type { SessionData } from 'express-session';
import { BoundedSessionStore, passportUserIn, type SessionDropReason } from '../../partners/sdk/web-server/index.js';

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
      maxAgeMs: 100, // so the purge runs every 100 ms
      onDropped: (id, why) => dropped.push([id, why]),
    });
    try {
      store.set('old', sessionFor(60_000));
      store.set('mid', sessionFor(60_000));
      store.set('short', sessionFor(50));
      expect(await has(store, 'old')).toBe(true); // old is now the most recently used
      await new Promise((r) => setTimeout(r, 250)); // short expires, and is forgotten unasked (purged every 100 ms here)
      expect(dropped).toEqual([['short', 'expired']]);
      store.set('new', sessionFor(60_000));
      expect(await has(store, 'old')).toBe(true);
      store.set('newest', sessionFor(60_000)); // full: mid is the least recently used
      await new Promise((r) => setImmediate(r)); // listeners are told once the store is done
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

  it('When more sessions end than it holds, then it remembers only the last `max` ended ids: those can never be saved back, older ones can (the list is bounded too)', async () => {
    const store = new BoundedSessionStore({ max: 2, maxAgeMs: 60_000 });
    try {
      for (const id of ['s1', 's2', 's3']) store.set(id, sessionFor(60_000));
      for (const id of ['s1', 's2', 's3']) store.destroy(id);
      for (const id of ['s1', 's2', 's3']) store.set(id, sessionFor(60_000)); // a late save of each
      expect(await Promise.all(['s1', 's2', 's3'].map((id) => has(store, id)))).toEqual([true, false, false]);
    } finally {
      store.close();
    }
  });

  it('When visitors who never sign in fill the store, then they push out only each other: signed-in sessions are kept apart, and a login or logout moves a session between the two', async () => {
    const dropped: string[] = [];
    const store = new BoundedSessionStore({ max: 2, maxAgeMs: 60_000, onDropped: (id) => dropped.push(id) });
    const signedIn = (user: string) => ({ ...sessionFor(60_000), passport: { user } }) as unknown as SessionData;
    try {
      store.set('alice', signedIn('p_alice'));
      for (const id of ['v1', 'v2', 'v3', 'v4', 'v5']) store.set(id, sessionFor(60_000));
      await new Promise((r) => setImmediate(r));
      expect(dropped).toEqual(['v1', 'v2', 'v3']);
      expect(store.ids()).toEqual(['alice', 'v5', 'v4']);
      store.set('v4', signedIn('p_bob')); // v4 signs in: it leaves the visitors' pool
      for (const id of ['v6', 'v7']) store.set(id, sessionFor(60_000));
      await new Promise((r) => setImmediate(r));
      expect(dropped).toEqual(['v1', 'v2', 'v3', 'v5']);
      expect(store.ids()).toEqual(['v4', 'alice', 'v7', 'v6']);
      store.set('alice', sessionFor(60_000)); // alice signs out and her session stays, as a visitor's
      await new Promise((r) => setImmediate(r));
      expect(dropped).toEqual(['v1', 'v2', 'v3', 'v5', 'v6']);
      expect(store.ids()).toEqual(['v4', 'alice', 'v7']);
      expect(await new Promise((resolve) => store.length((_e, n) => resolve(n)))).toBe(3);
      store.destroy('v4');
      expect(await has(store, 'v4')).toBe(false);
    } finally {
      store.close();
    }
  });

  it('When a request that read a session before it was dropped or expired writes it back after, then it stays ended', async () => {
    const dropped: string[] = [];
    const store = new BoundedSessionStore({ max: 1, maxAgeMs: 60_000, onDropped: (id) => dropped.push(id) });
    try {
      store.set('a', sessionFor(60_000));
      store.set('b', sessionFor(60_000)); // full: a is dropped
      store.set('a', sessionFor(60_000)); // a request of a's, still running, saves it as it ends
      expect(await has(store, 'a')).toBe(false);
      expect(await has(store, 'b')).toBe(true);
      store.set('c', sessionFor(60_000)); // b is dropped in turn: the store keeps working
      expect(await has(store, 'c')).toBe(true);
      store.set('short', sessionFor(50));
      await new Promise((r) => setTimeout(r, 100));
      expect(await has(store, 'short')).toBe(false); // expired (noticed as it is asked for)
      store.set('short', sessionFor(60_000));
      expect(await has(store, 'short')).toBe(false);
      await new Promise((r) => setImmediate(r));
      expect(dropped).toEqual(['a', 'b', 'c', 'short']);
    } finally {
      store.close();
    }
  });

  it('When a request that read a session before a logout saves it after, then it stays logged out — also after visitors who never sign in filled the store', async () => {
    const store = new BoundedSessionStore({ max: 2, maxAgeMs: 60_000 });
    const alice = { ...sessionFor(60_000), passport: { user: 'p_alice' } } as unknown as SessionData;
    try {
      store.set('s', alice);
      store.set('s', sessionFor(60_000)); // passport's logout saves the session without its user first
      store.destroy('s'); // then ends it
      for (let i = 0; i < 10; i++) store.set(`visitor${i}`, sessionFor(60_000)); // dropped in turn
      for (let i = 0; i < 10; i++) store.destroy(`fresh${i}`); // logouts without a session (no cookie)
      store.set('s', alice); // the request that read it before the logout ends
      expect(await has(store, 's')).toBe(false);
      // A logout that keeps the session (no destroy): it goes on as a visitor's, never signed in again.
      store.set('t', alice);
      store.set('t', sessionFor(60_000));
      store.set('t', alice); // the late save of a copy read while signed in
      const stored = () => new Promise<unknown>((resolve) => store.get('t', (_e, s) => resolve(s)));
      expect(await stored()).not.toHaveProperty('passport');
      store.set('t', { ...sessionFor(60_000), returnTo: '/x' } as unknown as SessionData); // as a visitor: kept
      expect(await stored()).toHaveProperty('returnTo', '/x');
    } finally {
      store.close();
    }
  });

  it('When a session leaves the signed-in pool without a logout (a stale visitor copy saved over an unlocked monitor; passport dropping a user who no longer exists), then it can be signed in again', async () => {
    const store = new BoundedSessionStore({
      max: 2,
      maxAgeMs: 60_000,
      isSignedIn: (s) => passportUserIn(s) || (s as { monitorUnlocked?: boolean }).monitorUnlocked === true,
    });
    const as = (extra: object) => ({ ...sessionFor(60_000), ...extra }) as unknown as SessionData;
    const stored = (id: string) => new Promise<unknown>((resolve) => store.get(id, (_e, s) => resolve(s)));
    try {
      store.set('m', as({ returnTo: '/monitor' }));
      store.set('m', as({ monitorUnlocked: true }));
      store.set('m', as({ returnTo: '/monitor/x' })); // a request that read it before the unlock
      store.set('m', as({ monitorUnlocked: true })); // unlocking again
      expect(await stored('m')).toHaveProperty('monitorUnlocked', true);
      store.set('d', as({ passport: { user: 'p_gone' } }));
      store.set('d', as({ passport: {} })); // passport found no such person any more
      store.set('d', as({ passport: {}, monitorUnlocked: true }));
      expect(await stored('d')).toHaveProperty('monitorUnlocked', true);
      store.set('d', as({ passport: { user: 'p_gone' }, monitorUnlocked: true })); // a copy from before: refused
      expect(await stored('d')).toHaveProperty('passport', {});
    } finally {
      store.close();
    }
  });

  it('When a request that did not change the session ends (touch), then it moves the expiry only: what another request stored meanwhile stays', async () => {
    const store = new BoundedSessionStore({ max: 2, maxAgeMs: 60_000 });
    const withReturn = (returnTo: string) => ({ ...sessionFor(60_000), returnTo }) as unknown as SessionData;
    try {
      store.set('s', withReturn('/old'));
      store.set('s', withReturn('/new')); // another request of the same browser
      store.touch('s', withReturn('/old')); // the first request, which read '/old', ends
      const kept = await new Promise<SessionData | null | undefined>((resolve) =>
        store.get('s', (_e, s) => resolve(s)),
      );
      expect((kept as unknown as { returnTo: string }).returnTo).toBe('/new');
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

  it('When sessions live longer than a timer can wait (30 days), then nothing spins: no timer overflows', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const month = 30 * 86_400_000;
    const store = new BoundedSessionStore({ max: 10, maxAgeMs: month });
    try {
      store.set('a', sessionFor(month));
      await new Promise((r) => setTimeout(r, 100));
      expect(warnings).toEqual([]);
      expect(await has(store, 'a')).toBe(true);
    } finally {
      store.close();
      process.off('warning', onWarning);
    }
  });

  it('When sessions hold more bytes than allowed, then the least recently used are dropped', async () => {
    const dropped: string[] = [];
    const store = new BoundedSessionStore({
      max: 100,
      maxAgeMs: 60_000,
      maxBytes: 3_000,
      onDropped: (id) => dropped.push(id),
    });
    const big = (id: string) =>
      store.set(id, { ...sessionFor(60_000), returnTo: `/${'x'.repeat(1_000)}` } as SessionData);
    ['a', 'b', 'c'].forEach(big);
    await new Promise((r) => setImmediate(r));
    expect(dropped).toEqual(['a']);
    store.close();
  });

  it('When a listener of a dropped session uses the store again (express-session touches a session as its response ends), then the session stays dropped and the order of use stays right', async () => {
    const store: BoundedSessionStore = new BoundedSessionStore({
      max: 3,
      maxAgeMs: 60_000,
      onDropped: (id) => store.touch(id, sessionFor(60_000)),
    });
    try {
      for (const id of ['a', 'b', 'c', 'd']) store.set(id, sessionFor(60_000)); // a is dropped
      await new Promise((r) => setImmediate(r));
      expect(store.ids()).toEqual(['d', 'c', 'b']); // walked before any read (a read re-links the list)
      store.set('e', sessionFor(60_000)); // b is the least recently used now
      await new Promise((r) => setImmediate(r));
      expect(store.ids()).toEqual(['e', 'd', 'c']);
      expect(await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => has(store, id)))).toEqual([
        false,
        false,
        true,
        true,
        true,
      ]);
      expect(await new Promise((resolve) => store.length((_e, n) => resolve(n)))).toBe(3);
    } finally {
      store.close();
    }
  });
});
