import { beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { openMessagingWorld, type MessagingWorld } from '../helpers/messaging-world.js';
import type { Page, PageQuery } from '../../server/src/messaging/schemas.js';

const alice = { clientId: 'tunewave', personId: 'p_alice' };
const ids = (page: Page<{ id: string }>) => page.items.map((i) => i.id);

/** Walks towards the top with `min_id` from `cursor` until an empty page: every item newer than it. */
function newerThan<T extends { id: string }>(read: (q: PageQuery) => Page<T>, cursor: string, limit: number): string[] {
  const found: string[] = [];
  for (let min = cursor, guard = 0; guard < 1000; guard++) {
    const page = read({ limit, min_id: min });
    if (page.items.length === 0) return found;
    found.unshift(...ids(page));
    min = page.prevCursor!;
  }
  throw new Error('min_id walk does not end');
}

describe('keyset paging', () => {
  let w: MessagingWorld;
  beforeEach(async () => {
    w = await openMessagingWorld();
  });
  const threads = (q: PageQuery) => w.service.threads(alice, q).body;
  const messages = (q: PageQuery) => w.service.messages(alice, 'g_weekend', q).body;

  it('When a post moves a thread during a walk of the thread list, then the walk skips nothing unchanged and since_id of page 1 returns the moved thread', async () => {
    const first = threads({ limit: 2 });
    expect(ids(first)).toEqual(['g_family', 'g_weekend']);
    await w.service.post(alice, 't_alice_bob', { text: 'moves to the top' });
    // t_alice_bob moved above the cursor: the walk goes on with what did not move, by cursor or by id.
    expect(ids(threads({ limit: 2, max_id: first.nextCursor! }))).toEqual(['t_alice_carol']);
    expect(ids(threads({ limit: 2, before: 'g_weekend' }))).toEqual(['t_alice_carol']);
    expect(ids(threads({ limit: 2, since_id: first.prevCursor! }))).toEqual(['t_alice_bob']);
    expect(newerThan(threads, first.prevCursor!, 1)).toEqual(['t_alice_bob']);
  });

  it('When the message a cursor names is deleted, then max_id, before and since_id still work from where it was', async () => {
    const all = ids(messages({ limit: 50 }));
    const first = messages({ limit: 2 });
    await w.service.remove(alice, all[1]!);
    expect(ids(messages({ limit: 2, max_id: first.nextCursor! }))).toEqual(all.slice(2, 4));
    expect(ids(messages({ limit: 2, before: all[1]! }))).toEqual(all.slice(2, 4));
    expect(ids(messages({ limit: 50, since_id: all[1]! }))).toEqual([all[0]]);
    // A message posted through the API (stamped id), deleted, still names its place after a restart of the indexes.
    const posted = (await w.service.post(alice, 'g_weekend', { text: 'soon gone' })).body.id;
    const later = (await w.service.post(alice, 'g_weekend', { text: 'stays' })).body.id;
    await w.service.remove(alice, posted);
    w.store.load(w.store.snapshot());
    expect(ids(messages({ limit: 50, since_id: posted }))).toEqual([later]);
    expect(ids(messages({ limit: 50, min_id: posted }))).toEqual([later]);
    expect(ids(messages({ limit: 1, max_id: posted }))).toEqual([all[0]]);
  });

  it('When a thread is walked forward with min_id, then every message comes once, in order, without gaps', () => {
    const all = ids(messages({ limit: 50 }));
    const oldest = all[all.length - 1]!;
    expect(newerThan(messages, oldest, 2)).toEqual(all.slice(0, -1));
    expect(ids(messages({ limit: 2, min_id: oldest }))).toEqual(all.slice(-3, -1));
    expect(ids(messages({ limit: 2, since_id: oldest }))).toEqual(all.slice(0, 2));
    expect(ids(messages({ limit: 50, since_id: oldest, max_id: all[0]! }))).toEqual(all.slice(1, -1));
  });

  it('When a cursor names nothing the list knows, then it is a 400 invalid_cursor naming the parameter', () => {
    for (const bad of ['nope', 'c.bm9wZQ', 'c.WyJ4Il0']) {
      expect(() => messages({ limit: 2, max_id: bad })).toThrow(
        expect.objectContaining({ status: 400, code: 'invalid_cursor' }),
      );
      expect(() => threads({ limit: 2, since_id: bad })).toThrow(
        expect.objectContaining({ status: 400, detail: expect.stringContaining('since_id') }),
      );
    }
  });

  /** Steps between page reads of a walk: read the next page, post into a thread, or delete a message. */
  const step = fc.oneof(
    fc.constant({ kind: 'read' as const }),
    fc.record({
      kind: fc.constant('post' as const),
      thread: fc.constantFrom('g_weekend', 'g_family', 't_alice_bob', 't_alice_carol'),
    }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  );

  it('When page reads, posts and deletes interleave at random, then a walk never repeats, never misses what did not change, and newer-than from page 1 returns what moved or arrived', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('threads', 'messages'),
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { maxLength: 14 }),
        async (list, limit, steps) => {
          const world = await openMessagingWorld();
          const read = (q: PageQuery): Page<{ id: string }> =>
            list === 'threads'
              ? world.service.threads(alice, q).body
              : world.service.messages(alice, 'g_weekend', q).body;
          const before = ids(read({ limit: 100 }));
          const changed = new Set<string>();
          const first = read({ limit });
          const walked = ids(first);
          let next = first.nextCursor;
          const readNext = () => {
            if (next === null) return;
            const page = read({ limit, max_id: next });
            walked.push(...ids(page));
            next = page.nextCursor;
          };
          for (const s of steps) {
            if (s.kind === 'read') readNext();
            else if (s.kind === 'post') {
              const { body } = await world.service.post(alice, list === 'messages' ? 'g_weekend' : s.thread, {
                text: 'x',
              });
              changed.add(list === 'messages' ? body.id : s.thread);
            } else {
              const inThread = world.store.messageIdsIn('g_weekend');
              const victim = inThread[s.pick % Math.max(1, inThread.length)];
              if (victim !== undefined) {
                await world.service.remove(alice, victim);
                if (list === 'messages') changed.add(victim); // a deletion does not move its thread
              }
            }
          }
          while (next !== null) readNext();
          expect(new Set(walked).size).toBe(walked.length);
          for (const id of before) if (!changed.has(id)) expect(walked).toContain(id);
          const newer = newerThan(read, first.prevCursor ?? '', limit);
          const now = new Set(ids(read({ limit: 100 })));
          for (const id of changed) if (now.has(id)) expect([...walked, ...newer]).toContain(id);
          expect(new Set(newer).size).toBe(newer.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
