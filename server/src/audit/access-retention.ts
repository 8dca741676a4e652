import type { AccessEntry, AccessTotal, JournalOp } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { foldEntry, openSet, readContent, settle, totalId, type AccessTotals } from './access-totals.js';

/** How many raw access-log entries to keep, and for how long (README "Retention"). */
export interface AccessRetention {
  /** At most this many raw entries (the newest). */
  keepEntries: number;
  /** Raw entries older than this (ms) are folded. */
  keepMs: number;
}

/**
 * Entries folded per commit: one journal line each, so a huge backlog does not make one huge line,
 * and the requests served meanwhile wait at most one batch's work (a few ms) between two batches.
 */
const FOLD_BATCH = 1_000;
/** Entries folded between two turns of the event loop (≈ 2 ms of work). */
const FOLD_SLICE = 200;

/**
 * Folds raw access-log entries past the retention window (beyond the newest `keepEntries`, or older
 * than `keepMs`) into the `accessTotals` rows, and deletes them. Each batch is one atomic commit (the
 * totals and the deletions are durable together), so an access is never counted twice nor lost.
 * Resolves with how many entries were folded. @throws StoreWriteError (nothing of that batch applied)
 */
export async function foldOldAccesses(store: Store, retention: AccessRetention, nowMs: number): Promise<number> {
  const entries = store.accessLog();
  const overCount = Math.max(0, entries.length - retention.keepEntries);
  const cutoff = nowMs - retention.keepMs;
  const old = entries.filter((e, i) => i < overCount || e.at < cutoff);
  // Still stored: a world reset between two batches must not bring old accesses back as totals.
  const stored = (e: AccessEntry) => store.get('accessLog', e.id) === e;
  let folded = 0;
  for (let start = 0; start < old.length; start += FOLD_BATCH) {
    const batch = old.slice(start, start + FOLD_BATCH).filter(stored);
    const totals: AccessTotals = new Map();
    // The totals rows this batch adds to, as read: another fold (or a reset) may commit between two slices.
    const read = new Map<string, AccessTotal | undefined>();
    const readTotal = (id: string) => {
      const row = store.get('accessTotals', id);
      read.set(id, row);
      return row;
    };
    for (let i = 0; i < batch.length; i++) {
      foldEntry(totals, batch[i]!, readTotal);
      if ((i + 1) % FOLD_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const forget = await forgettable(store, totals, new Set(batch));
    // The log or the totals changed meanwhile (a world reset, a concurrent fold): committing now would
    // count an access twice or overwrite another fold's counts. The next run folds what is left.
    if (!batch.every(stored) || ![...read].every(([id, row]) => store.get('accessTotals', id) === row)) break;
    settle(totals, forget);
    const ops: JournalOp[] = [
      ...[...totals.values()].map((v): JournalOp => ({ op: 'put', c: 'accessTotals', v })),
      ...batch.map((e): JournalOp => ({ op: 'del', c: 'accessLog', id: e.id })),
    ];
    await store.commitAll(ops);
    folded += batch.length;
  }
  return folded;
}

/**
 * Which ids of a totals row's `messagesRead` set a fold may forget (keeping only their count): those
 * of deleted messages that no raw entry still in the log names as read by that row's client (and
 * owner, for a grant row). A raw entry folded later adds its ids again, so an id it names must stay
 * in the set, or the message would be counted twice. (Every entry naming a message is logged before
 * its deletion: a read is logged in the tick it reads, a late socket delivery of a deleted message is
 * not sent.) The raw log is scanned only for the ids of deleted messages the rows hold, a slice at a
 * time, so a long log never stalls the event loop.
 */
async function forgettable(
  store: Store,
  totals: AccessTotals,
  folding: ReadonlySet<AccessEntry>,
): Promise<(row: AccessTotal, messageId: string) => boolean> {
  const gone = new Set<string>();
  for (const row of totals.values())
    for (const id of openSet(row, 'messagesRead') ?? []) if (store.get('messages', id) === undefined) gone.add(id);
  const stillNamed = new Set<string>(); // `${row key} ${message id}`
  if (gone.size > 0) {
    const entries = store.accessLog();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (readContent(e) && !folding.has(e))
        for (const id of e.messageIds)
          if (gone.has(id)) {
            stillNamed.add(`${totalId.client(e.clientId)} ${id}`);
            stillNamed.add(`${totalId.grant(e.clientId, e.ownerId)} ${id}`);
          }
      if ((i + 1) % SCAN_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return (row, messageId) =>
    gone.has(messageId) && store.get('messages', messageId) === undefined && !stillNamed.has(`${row.id} ${messageId}`);
}

/** Raw entries scanned between two turns of the event loop. */
const SCAN_SLICE = 5_000;
