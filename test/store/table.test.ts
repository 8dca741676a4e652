import { describe, expect, it } from '@jest/globals';
import { Table } from '../../server/src/store/table.js';

const row = (id: string, v = id) => ({ id, v });

function tableOf(...ids: string[]) {
  const table = new Table<{ id: string; v: string }>();
  const indexed = new Set<string>();
  table.index({
    added: (r) => indexed.add(r.id),
    removed: (r) => indexed.delete(r.id),
    cleared: () => indexed.clear(),
  });
  for (const id of ids) table.put(row(id));
  return { table, indexed };
}

describe('Table: a deletion that is not durable yet', () => {
  it('hides the row from every read and index, and a refused write puts it back in its place', () => {
    const { table, indexed } = tableOf('a', 'b', 'c');
    const token = {};
    expect(table.deleteUntilDurable('b', token)).toEqual(row('b'));
    expect([table.get('b'), table.has('b'), table.size]).toEqual([undefined, false, 2]);
    expect(table.all().map((r) => r.id)).toEqual(['a', 'c']);
    expect([...indexed]).toEqual(['a', 'c']);
    expect(table.deleteUntilDurable('b', {})).toBeUndefined(); // already gone for every reader
    // What is durable while it is not: the rows as they were, in their order.
    expect(table.rowsBefore(new Map([['b', row('b')]])).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    table.restore(row('b'));
    expect(table.all().map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(table.size).toBe(3);
    table.durable('b', token); // settled already by the restore: nothing happens
    expect(table.all().map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('lets go of the row once durable: it is not in the durable rows, and a row put with its id later goes last', () => {
    const { table } = tableOf('a', 'b', 'c');
    const token = {};
    table.deleteUntilDurable('a', token);
    expect(table.firstId()).toBe('b');
    table.durable('a', token);
    expect(table.rowsBefore(new Map()).map((r) => r.id)).toEqual(['b', 'c']);
    table.put(row('a', 'again'));
    expect(table.all().map((r) => r.id)).toEqual(['b', 'c', 'a']);
  });

  it('when the row is put again before the deletion is durable, then it goes last and that deletion becoming durable leaves it', () => {
    const { table, indexed } = tableOf('a', 'b', 'c');
    const token = {};
    table.deleteUntilDurable('a', token);
    table.put(row('a', 'again'));
    table.durable('a', token);
    expect(table.all()).toEqual([row('b'), row('c'), row('a', 'again')]);
    expect([table.size, indexed.has('a')]).toEqual([3, true]);
    // Both changes not durable: the first deletion's row comes back, last (its place went with the put).
    expect(table.rowsBefore(new Map([['a', row('a')]]))).toEqual([row('b'), row('c'), row('a')]);
  });

  it('When the rows of a refused write are put back, then an index kept in table order is rebuilt once for all of them, in table order', () => {
    const table = new Table<{ id: string; v: string }>();
    let rebuilds = 0;
    const order: string[] = [];
    table.index({
      ordered: true,
      added: (r) => order.push(r.id),
      removed: (r) => order.splice(order.indexOf(r.id), 1),
      cleared: () => {
        rebuilds++;
        order.length = 0;
      },
    });
    for (const id of ['a', 'b', 'c', 'd']) table.put(row(id));
    const tokens = ['a', 'b', 'c'].map((id) => {
      const token = {};
      table.deleteUntilDurable(id, token);
      return token;
    });
    expect(order).toEqual(['d']);
    for (const id of ['c', 'b', 'a']) table.restore(row(id)); // newest first, as a refused batch is undone
    table.reorderIndexes();
    expect([rebuilds, order]).toEqual([1, ['a', 'b', 'c', 'd']]);
    table.reorderIndexes(); // nothing restored since: nothing to do
    expect(rebuilds).toBe(1);
    expect(tokens).toHaveLength(3);
  });
});
