import { MultiIndex, Table } from './table.js';
import { compactMessage, sameAsLast } from './message-form.js';
import { GroupCommit, type RowChange, type StoreOptions } from './group-commit.js';
import { keyOfStampedId, MAX_TOMBSTONES, Timelines, type MessageKey, type ThreadKey } from './timelines.js';
import { SortedKeys } from './sorted-keys.js';
import type { Persistence } from './persistence.js';
import { firstIssue } from './journal.js';
import { pairKey } from './row-ids.js';
import { InvalidRowError, StoreLoadError } from './store-errors.js';
import {
  collectionNames,
  WORLD_FORMAT,
  rowSchema,
  type AccessEntry,
  type Client,
  type CollectionName,
  type Friendship,
  type JournalOp,
  type Message,
  type OidcRecord,
  type Person,
  type Row,
  type Settings,
  type Thread,
  type World,
} from './schema.js';
import { validWorld } from './snapshot-file.js';
import { worldProblem } from './world-problem.js';
import { usernameKey } from './text.js';

type Tables = { [C in CollectionName]: Table<Row<C>> };

/** Collections a message refers to come before it, so that its form shares their id strings (compactMessage). */
const LOAD_ORDER: readonly CollectionName[] = ['clients', ...collectionNames.filter((c) => c !== 'clients')];

export { pairKey } from './row-ids.js';

/**
 * The index key of the records of sign-ins in progress, for `pendingSignIns()`: the provider's
 * interactions and pushed authorization requests (RFC 9126), both an authorization request kept
 * with its parameters until it is used or expires.
 */
const PENDING_SIGN_INS = 'pending-sign-in';
const PENDING_MODELS = new Set(['Interaction', 'PushedAuthorizationRequest']);
/** The person of the provider's sessions without one (`session-of:(anonymous)`): no person id has parentheses. */
export const ANONYMOUS = '(anonymous)';

/**
 * The platform's store: all state in memory with indexes, every change journaled through
 * `persistence` (one writer). Mutations apply at once and return a promise that resolves when the
 * change is durable. Built by `openStore`; each platform instance owns one.
 */
export class Store {
  readonly #tables = Object.fromEntries(
    collectionNames.map((c) => [
      c,
      c === 'messages' ? new Table<Message>({ keep: (m) => compactMessage(m, this.#sameAs) }) : new Table(),
    ]),
  ) as unknown as Tables;
  /** The stored id string equal to a reference, and the text kept last (compactMessage); the rows referred to load first (LOAD_ORDER). */
  readonly #sameAs = {
    thread: (id: string) => this.#tables.threads.get(id)?.id ?? id,
    person: (id: string) => this.#tables.people.get(id)?.id ?? id,
    client: (id: string) => this.#tables.clients.get(id)?.id ?? id,
    text: sameAsLast(),
  };
  readonly #byUsername = new Map<string, string>();
  readonly #friendsOf = new MultiIndex<Friendship>((f) => f.personIds);
  readonly #timelines = new Timelines();
  /** Messages a client posted for one person in one thread: `${via} ${senderId} ${threadId}`. */
  readonly #postedVia = new Map<string, SortedKeys>();
  readonly #oidcBy = new MultiIndex<OidcRecord>((r) => [
    `uid:${r.payload['uid'] as string | undefined}`,
    `userCode:${r.payload['userCode'] as string | undefined}`,
    `grant:${r.payload['grantId'] as string | undefined}`,
    PENDING_MODELS.has(r.model) ? PENDING_SIGN_INS : undefined,
    r.model === 'Session'
      ? `session-of:${typeof r.payload['accountId'] === 'string' ? r.payload['accountId'] : ANONYMOUS}`
      : undefined,
  ]);
  readonly #writer: GroupCommit;
  /** Told of each commitAll's changes as they are applied (RequestUndo keeps what a request changed). */
  readonly #appliedListeners: ((changes: readonly RowChange[]) => void)[] = [];
  #generation = 0;

  constructor(
    private readonly persistence: Persistence,
    options: StoreOptions = {},
  ) {
    this.#writer = new GroupCommit(
      persistence,
      {
        undo: (changes) => {
          for (const change of changes) this.#undo(change);
          for (const c of new Set(changes.map((change) => change.op.c))) this.#tables[c].reorderIndexes();
        },
        durableWorld: (notYetDurable) => this.#durableWorld(notYetDurable),
      },
      options,
    );
    this.#tables.people.index({
      added: (p) => this.#byUsername.set(usernameKey(p.username), p.id),
      removed: (p) => this.#byUsername.delete(usernameKey(p.username)),
      cleared: () => this.#byUsername.clear(),
    });
    this.#tables.friendships.index(this.#friendsOf);
    this.#tables.threads.index(this.#timelines.threadHooks);
    this.#tables.messages.index(this.#timelines.messageHooks);
    this.#tables.deletedMessages.index(this.#timelines.tombstoneHooks);
    const via = (m: Message) => (m.via === undefined ? undefined : `${m.via} ${m.senderId} ${m.threadId}`);
    this.#tables.messages.index({
      added: (m) => {
        const k = via(m);
        if (k === undefined) return;
        let list = this.#postedVia.get(k);
        if (!list) this.#postedVia.set(k, (list = new SortedKeys()));
        list.insert([m.createdAt, m.id], m.id);
      },
      removed: (m) => {
        const k = via(m);
        const list = k === undefined ? undefined : this.#postedVia.get(k);
        list?.remove([m.createdAt, m.id], m.id);
        if (list?.size === 0) this.#postedVia.delete(k!);
      },
      cleared: () => this.#postedVia.clear(),
    });
    this.#tables.oidc.index(this.#oidcBy);
  }

  /** Replaces everything with `world` (no journal; used at load). */
  load(world: World, ops: JournalOp[] = []): void {
    this.#generation++;
    for (const c of collectionNames) this.#tables[c].clear();
    // A world checked by validWorld() but given as it was (a sandbox's): a collection added since may be absent.
    for (const c of LOAD_ORDER) for (const row of world[c] ?? []) (this.#tables[c] as Table<typeof row>).put(row);
    for (const op of ops) this.#apply(op);
  }

  /** The whole state as a plain document (the data file's shape), including changes not yet durable. */
  snapshot(): World {
    const world = { format: WORLD_FORMAT } as World;
    for (const c of collectionNames) (world as Record<string, unknown>)[c] = this.#tables[c].all();
    return world;
  }

  /**
   * Replaces the whole state with `world`, all or nothing: memory takes it only once its snapshot
   * has replaced the data file (README "Data and storage"). Changes made while it is written are
   * refused. @throws StoreWriteError (503) when it could not be saved: nothing was replaced.
   */
  reset(world: World): Promise<void> {
    return this.#writer.replace(world, () => this.load(world));
  }

  /** Rewrites the snapshot and empties the journal; writes go on meanwhile (README "Data and storage"). */
  compact(): Promise<void> {
    return this.#writer.compact();
  }

  /** Changes each time the whole state is replaced (load, reset): a row read before belongs to another world. */
  get generation(): number {
    return this.#generation;
  }

  /** Bytes in the journal since the last compaction. */
  journalBytes(): number {
    return this.persistence.journalBytes();
  }

  /** Resolves once every change made so far is settled (durable, or refused and undone). */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /**
   * Purges, compacts and lets go of the files. The lock is released even when the compaction is
   * refused (e.g. StoreConflictError: the data file was edited meanwhile), which is then rethrown.
   */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.purgeExpired(Date.now()).catch(() => undefined);
      await this.compact();
    } finally {
      await this.persistence.close();
    }
  }

  // --- generic changes -------------------------------------------------------------------------
  /**
   * Changes apply in memory at once; the promise resolves when they are durable.
   * @throws StoreWriteError (503) when the disk refused the write: the change is undone.
   */
  put<C extends CollectionName>(c: C, row: Row<C>): Promise<void> {
    return this.#commit({ op: 'put', c, v: row as Record<string, unknown> });
  }
  /** Several rows at once, in order, in the same group commit (one promise for all). */
  putMany<C extends CollectionName>(c: C, rows: readonly Row<C>[]): Promise<void> {
    return this.commitAll(rows.map((row) => ({ op: 'put', c, v: row as Record<string, unknown> })));
  }
  delete(c: CollectionName, id: string): Promise<void> {
    return this.#commit({ op: 'del', c, id });
  }
  get<C extends CollectionName>(c: C, id: string): Row<C> | undefined {
    return this.#tables[c].get(id) as Row<C> | undefined;
  }
  all<C extends CollectionName>(c: C): Row<C>[] {
    return this.#tables[c].all() as Row<C>[];
  }
  /** Changes whenever collection `c` does (for caches of derived views). */
  versionOf(c: CollectionName): number {
    return this.#tables[c].version;
  }

  #apply(op: JournalOp): void {
    if (op.op === 'put') (this.#tables[op.c] as Table<{ id: string }>).put(op.v as { id: string });
    else this.#tables[op.c].delete(op.id);
  }

  #commit(op: JournalOp): Promise<void> {
    return this.commitAll([op]);
  }

  /**
   * Applies `ops` together: durable all at once (one journal line) or refused and undone all at once.
   * @throws StoreWriteError, InvalidRowError (nothing applied)
   */
  commitAll(ops: JournalOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    for (const op of ops) {
      if (op.op !== 'put') continue;
      // Last line of defence (the edges validate first): nothing unreadable enters memory or the file.
      // `validate` builds no copy of the row (it is stored as given); the issue is read only on a refusal.
      if (rowSchema(op.c).validate(op.v)) continue;
      const { error } = rowSchema(op.c).safeParse(op.v);
      return Promise.reject(new InvalidRowError(`${op.c} ${String(op.v['id'])}: ${firstIssue(error!, op.v)}`));
    }
    const rows = ops.map((op): RowChange => {
      const table = this.#tables[op.c] as Table<{ id: string }>;
      if (op.op === 'del') return { op, before: table.deleteUntilDurable(op.id, op), after: undefined };
      const id = op.v['id'] as string;
      const before = table.get(id);
      table.put(op.v as { id: string });
      return { op, before, after: table.get(id) };
    });
    for (const listener of this.#appliedListeners) listener(rows);
    const durable = this.#writer.submit({ rows });
    if (!ops.some((op) => op.op === 'del')) return durable; // most writes: no step more
    return durable.then(() => {
      // Durable: a deleted row need not hold its place for an undo any more (the op is the token).
      for (const op of ops) if (op.op === 'del') this.#tables[op.c].durable(op.id, op);
    });
  }

  /**
   * Calls `listener` synchronously with the changes of every `commitAll` (and so every put and
   * delete) once they are applied in memory, before they are durable; each says the op and the row it
   * replaced or deleted. A refused commit is undone by the store itself afterwards. Returns the
   * function that stops the calls.
   */
  onApplied(listener: (changes: readonly RowChange[]) => void): () => void {
    this.#appliedListeners.push(listener);
    return () => {
      const at = this.#appliedListeners.indexOf(listener);
      if (at >= 0) this.#appliedListeners.splice(at, 1);
    };
  }

  #undo({ op, before }: RowChange): void {
    const table = this.#tables[op.c] as Table<{ id: string }>;
    if (before) table.restore(before);
    // A put that added a row: take it out. A delete of nothing: nothing to undo (deleting now would
    // take away the place an earlier delete of the same row, undone next, holds for it).
    else if (op.op === 'put') table.delete(op.v['id'] as string);
  }

  /**
   * What is on disk: memory with `notYetDurable` undone. Arrays of row references, O(rows) without
   * copying a row; rows are never mutated in place, so they stay valid while a compaction writes them.
   */
  #durableWorld(notYetDurable: readonly RowChange[]): World {
    const undone = new Map<CollectionName, Map<string, { id: string } | null>>();
    for (let i = notYetDurable.length - 1; i >= 0; i--) {
      const { op, before } = notYetDurable[i]!; // newest first: the oldest change's `before` wins
      let rows = undone.get(op.c);
      if (!rows) undone.set(op.c, (rows = new Map()));
      rows.set(op.op === 'put' ? (op.v['id'] as string) : op.id, before ?? null);
    }
    const world: Record<string, unknown> = { format: WORLD_FORMAT };
    for (const c of collectionNames) {
      const rows = undone.get(c);
      const table = this.#tables[c] as Table<{ id: string }>;
      world[c] = rows ? table.rowsBefore(rows) : table.all();
    }
    return world as unknown as World;
  }

  // --- domain lookups ----------------------------------------------------------------------------
  personByUsername(username: string): Person | undefined {
    const id = this.#byUsername.get(usernameKey(username));
    return id === undefined ? undefined : this.#tables.people.get(id);
  }
  friendIdsOf(personId: string): string[] {
    return this.#friendsOf
      .ids(personId)
      .map((fid) => this.#tables.friendships.get(fid)!.personIds.find((p) => p !== personId)!)
      .filter((id) => id !== undefined);
  }
  areFriends(a: string, b: string): boolean {
    return this.#tables.friendships.has(pairKey(a, b));
  }
  /** A person's threads, most recent activity first (see `threadKey`). */
  threadsOf(personId: string): Thread[] {
    return [...(this.#timelines.threadsOf(personId)?.descIds() ?? [])].map((id) => this.#tables.threads.get(id)!);
  }
  /** A person's threads as ids by `threadKey`, ascending (read it `desc()` for newest first). */
  threadIndexOf(personId: string): SortedKeys | undefined {
    return this.#timelines.threadsOf(personId);
  }
  /**
   * What a thread is ordered by in its participants' lists: the key of the latest message ever
   * posted in it during this run (a deletion does not move it back), else `[createdAt, '']`, then its id.
   */
  threadKey(threadId: string): ThreadKey | undefined {
    return this.#timelines.threadKey(threadId);
  }
  /** Message ids of a thread, oldest first. */
  messageIdsIn(threadId: string): string[] {
    return [...(this.#timelines.messagesIn(threadId)?.ascIds() ?? [])];
  }
  /** A thread's messages as ids by `[createdAt, id]`, ascending; undefined when it has none. */
  messageIndexOf(threadId: string): SortedKeys | undefined {
    return this.#timelines.messagesIn(threadId);
  }
  messageCountIn(threadId: string): number {
    return this.#timelines.messagesIn(threadId)?.size ?? 0;
  }
  /**
   * The `[createdAt, id]` of a message of `threadId` named as a cursor, even a deleted one (see
   * `Timelines.messageKeyIn`); undefined for a message of another thread or none.
   */
  messageKeyIn(threadId: string, messageId: string): MessageKey | undefined {
    return this.#timelines.messageKeyIn(threadId, messageId, this.#tables.messages.get(messageId));
  }
  /**
   * The ops that delete `message`, to commit with whatever goes along: the row, and for an id that
   * does not carry its time (a seeded id) a `deletedMessages` row with its key, so that the id stays
   * a cursor of its thread after a restart (README "Paging"); beyond MAX_TOMBSTONES the oldest goes.
   */
  messageDeletionOps(message: Message): JournalOp[] {
    const ops: JournalOp[] = [{ op: 'del', c: 'messages', id: message.id }];
    if (keyOfStampedId(message.id)) return ops;
    ops.push({
      op: 'put',
      c: 'deletedMessages',
      v: { id: message.id, threadId: message.threadId, createdAt: message.createdAt },
    });
    const kept = this.#tables.deletedMessages;
    if (kept.size >= MAX_TOMBSTONES && !kept.has(message.id))
      ops.push({ op: 'del', c: 'deletedMessages', id: kept.firstId()! });
    return ops;
  }
  /** Id and creation time for a new message: its key is above every key stored (README "Paging"). */
  stampMessage(nowMs: number): { id: string; createdAt: number } {
    return this.#timelines.stamp(nowMs);
  }
  /** Sign-ins in progress: the provider's Interaction and PushedAuthorizationRequest records, expired ones not yet purged included. */
  pendingSignIns(): number {
    return this.#oidcBy.count(PENDING_SIGN_INS);
  }
  /** `session-of:${personId}`: the provider's sessions of a person (or of nobody yet: `ANONYMOUS`), oldest first. */
  oidcFind(key: `uid:${string}` | `userCode:${string}` | `grant:${string}` | `session-of:${string}`): OidcRecord[] {
    return this.#oidcBy.ids(key).map((id) => this.#tables.oidc.get(id)!);
  }
  settings(): Settings {
    return this.#tables.settings.get('settings') ?? { id: 'settings', policy: 'broad' };
  }
  client(id: string): Client | undefined {
    return this.#tables.clients.get(id);
  }
  accessLog(): AccessEntry[] {
    return this.#tables.accessLog.all();
  }
  /** How many raw access-log entries are kept (without copying them). */
  accessLogSize(): number {
    return this.#tables.accessLog.size;
  }
  /**
   * When (ms) `clientId`, acting for `personId`, first posted into `threadId` among the messages
   * still stored; undefined when it never did (least-privilege reach).
   */
  firstPostVia(clientId: string, personId: string, threadId: string): number | undefined {
    const first = this.#postedVia.get(`${clientId} ${personId} ${threadId}`)?.asc().next();
    return first?.done === false ? (first.value.key[0] as number) : undefined;
  }

  /**
   * Deletes expired oidc records (codes, sessions, tokens…) through the journal, like any change.
   * Resolves with how many were deleted. @throws StoreWriteError
   */
  async purgeExpired(nowMs: number): Promise<number> {
    const expired = this.#tables.oidc.all().filter((r) => r.expiresAt !== undefined && r.expiresAt <= nowMs);
    await this.commitAll(expired.map((r) => ({ op: 'del', c: 'oidc', id: r.id })));
    return expired.length;
  }
}

export type { StoreOptions } from './group-commit.js';

/** `world` itself, once `validWorld` finds nothing wrong with it. @throws StoreLoadError */
function checked(world: World): World {
  validWorld(world, 'the starting world');
  return world;
}

/**
 * Opens a store: loads what `persistence` holds, or `seed()` when it holds nothing, then compacts
 * (journal folded into the snapshot). When the open is refused, the persistence is closed (its lock
 * released), so that the same file can be opened again once it is mended.
 * @throws StoreLoadError when the stored data is unusable (`validWorld`), also once its journal is
 *   replayed (the same whole-world checks: `worldProblem`).
 */
export async function openStore(
  persistence: Persistence,
  seed: () => World,
  options: StoreOptions = {},
): Promise<Store> {
  const store = new Store(persistence, options);
  try {
    const loaded = await persistence.load();
    // A data file was checked as it was read; a world from code (a sandbox's, the seed) is held to the
    // same rules (its rows kept as given).
    const world = loaded?.world ?? checked(seed());
    store.load(world, loaded?.ops);
    // Each journal line's rows were checked as read; what they make together is checked as replayed on
    // the data file, by the same whole-world checks as the file, before anything is written.
    const replayed = loaded?.ops.length ? worldProblem(store.snapshot()) : undefined;
    if (replayed) {
      throw new StoreLoadError(
        `${persistence.description}: the journal, replayed on the data file, leaves an invalid world (${replayed})`,
      );
    }
    if (!loaded) await store.compact();
    else if (loaded.needsCompaction) {
      // Folding the journal at start is an optimisation: with no room for a new snapshot (a full disk),
      // start from snapshot + journal anyway; the journal keeps working.
      await store.compact().catch((err: unknown) => {
        if (!options.onBackgroundError) throw err;
        options.onBackgroundError(err);
      });
    }
  } catch (err) {
    await persistence.close().catch(() => undefined);
    throw err;
  }
  return store;
}
