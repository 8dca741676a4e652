/**
 * Shares one frozen array among access-log entries that list the same ids. A partner that polls a
 * page logs the same message ids, people and bystanders again and again; without this every entry
 * holds its own copies (about 0.5 KiB per entry for a page of 50 messages). A hit is compared element
 * by element, so two different lists never share. Bounded: after `capacity` distinct lists it starts
 * over, so it holds the recent working set, never the history.
 */
export function createIdListInterner(capacity = 2_000): (ids: readonly string[]) => string[] {
  const empty: readonly string[] = Object.freeze([]);
  let lists = new Map<string, readonly string[]>();
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);
  return (ids) => {
    if (ids.length === 0) return empty as string[];
    // Length and both ends: a key of a few dozen characters, not the whole list (a page of 50 ids is
    // 1.5 KiB of string per read). Lists that share it but differ inside fail `same` and take the slot.
    const key = `${ids.length}\u0000${ids[0]}\u0000${ids[ids.length - 1]}`;
    const known = lists.get(key);
    if (known && same(known, ids)) return known as string[];
    if (lists.size >= capacity) lists = new Map();
    const list = Object.freeze([...ids]);
    lists.set(key, list);
    return list as string[];
  };
}
