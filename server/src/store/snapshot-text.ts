import { collectionNames, type World } from './schema.js';

/** Text handed out per slice: serializing this much takes about a millisecond. */
export const SLICE_BYTES = 64 * 1024;

/**
 * The snapshot document as text, in slices of about `sliceBytes`, so that the caller can write and
 * hash it piece by piece and let the event loop turn between pieces (README "Data and storage").
 * Plain JSON with one row per line: `format` first, then one array per collection in schema order.
 * Each slice is serialized only when asked for, so `world` must not change meanwhile — the store
 * hands in arrays of row references, and rows are replaced, never mutated (see `Table`).
 */
export function* snapshotSlices(world: World, sliceBytes = SLICE_BYTES): Generator<string, void, undefined> {
  let text = `{\n  "format": ${JSON.stringify(world.format)}`;
  for (const c of collectionNames) {
    const rows: readonly unknown[] = world[c];
    text += `,\n  ${JSON.stringify(c)}: [`;
    for (let i = 0; i < rows.length; i++) {
      text += `${i === 0 ? '' : ','}\n    ${JSON.stringify(rows[i])}`;
      if (text.length >= sliceBytes) {
        yield text;
        text = '';
      }
    }
    text += rows.length === 0 ? ']' : '\n  ]';
  }
  yield `${text}\n}\n`;
}
