import { danglingReference } from './references.js';
import { collectionNames, type World } from './schema.js';
import { usernameKey } from './text.js';

/**
 * The first problem of `world` that no single row shows, as `collection id: …`, or undefined when
 * there is none. O(rows). These are the whole-world checks of a start: held by the data file as
 * read (`validWorld`) and again by the state its journal leaves once replayed (`openStore`), so that
 * a start never accepts, then writes, what the next start would refuse.
 *
 * Checked: no two rows of a collection share an id (`messages: duplicate id "m_0001"`); no two
 * people share a username but for case (login, the admin API and scenarios find people by it, case
 * aside); no reference to a row that does not exist (`danglingReference`).
 */
export function worldProblem(world: World): string | undefined {
  for (const c of collectionNames) {
    const seen = new Set<string>();
    for (const row of world[c]) {
      if (seen.has(row.id)) return `${c}: duplicate id "${row.id}"`;
      seen.add(row.id);
    }
  }
  const byName = new Map<string, string>();
  for (const person of world.people) {
    const name = usernameKey(person.username);
    const other = byName.get(name);
    if (other !== undefined)
      return `people ${person.id}: username "${person.username}" is also ${other}'s; usernames are the same whatever their case and the spaces around them`;
    byName.set(name, person.id);
  }
  return danglingReference(world);
}
