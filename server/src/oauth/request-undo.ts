import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreWriteError } from '../store/store-errors.js';
import type { Store } from '../store/store.js';

/** Puts one row back as it was; resolves once that is durable, rejects when the store refuses it. */
export type Undo = () => Promise<void>;

/**
 * The writes of the authorization server during one provider request, so that a request the store
 * refuses halfway stores nothing (README "Data and storage").
 *
 * Why: oidc-provider writes in steps, each its own store write: at `/token` it consumes the code,
 * then stores the access token, then the refresh token; at a resume it deletes the interaction,
 * then saves the next one; at `/reg` it stores the client, then its registration access token; at
 * consent (our interaction routes) it saves the grant, then our authorization record, then the
 * interaction. If only a later step is refused, the caller gets `503 temporarily_unavailable` while the earlier
 * steps stay: a retry with the same code is then taken for a replay (RFC 9700 §4.5.3: the grant is
 * revoked) though no token was issued, an access token nobody received stays live, a sign-in cannot
 * resume, a client is registered twice. Each step is given back instead, newest first, unless the
 * row changed again since (another request's write wins). A replay that came in meanwhile has
 * revoked the grant already, so a code given back never yields tokens twice. If the disk refuses
 * the giving back too, what stays is what a crash at that point would leave.
 */
/** Stands for "no row" in the map of withdrawn writes. */
const ABSENT = Object.freeze({});

export class RequestUndo {
  readonly #current = new AsyncLocalStorage<Undo[]>();
  /**
   * Per row (`collection id`), given back while a later write covered it: the row (or ABSENT) each
   * of those writes left → what it replaced. Read and dropped by the covering write's undo.
   */
  readonly #withdrawn = new Map<string, Map<object, object>>();
  /** The row a table keeps for a row an undo put back (a message is kept as a compact copy) → that row. */
  readonly #putBackAs = new WeakMap<object, object>();
  /** Stops following the store (the platform closed). */
  readonly close: () => void;

  /**
   * Keeps, for the request being served, how to put back each row `store` changes (every put and
   * delete, whoever makes it: the provider's adapter, our records), guarded so that an undo does
   * nothing once the row changed again or a reset replaced the world. Outside a request, nothing.
   */
  constructor(store: Store) {
    this.close = store.onApplied((changes) => {
      const undos = this.#current.getStore();
      if (!undos) return;
      const world = store.generation;
      for (const { op, before: was, after } of changes) {
        const id = op.op === 'put' ? (op.v['id'] as string) : op.id;
        if (was === after) continue;
        const key = `${op.c} ${id}`;
        undos.push(async () => {
          if (store.generation !== world) return;
          const stored = store.get(op.c, id);
          if (((stored && this.#putBackAs.get(stored)) ?? stored) !== after) {
            // A later write covers this one: when that write is given back, it must not restore this
            // row (or this absence), but what this one replaced.
            const replaced = this.#withdrawn.get(key) ?? new Map<object, object>();
            this.#withdrawn.set(key, replaced.set(after ?? ABSENT, was ?? ABSENT));
            return;
          }
          let back: object = was ?? ABSENT;
          const replaced = this.#withdrawn.get(key);
          for (const seen = new Set<object>(); replaced?.has(back) && !seen.has(back); seen.add(back))
            back = replaced.get(back)!;
          this.#withdrawn.delete(key);
          if (back === ABSENT) return store.delete(op.c, id);
          const written = store.put(op.c, back as never); // applied in memory before it returns
          const kept = store.get(op.c, id);
          if (kept !== undefined && kept !== back && kept !== after) this.#putBackAs.set(kept, back);
          await written;
        });
      }
    });
  }

  /** Runs `serve` as one provider request whose undos are collected in `undos`. */
  within<T>(undos: Undo[], serve: () => Promise<T>): Promise<T> {
    return this.#current.run(undos, serve);
  }

  /**
   * Runs `steps` (several writes of one operation: a token issued without a browser, a grant revoked
   * or narrowed) as one unit: when one of its writes is refused, the ones before it are given back and
   * the refusal is rethrown. Inside a request, a unit that succeeded joins that request's undos.
   */
  async atomically<T>(steps: () => Promise<T>): Promise<T> {
    const undos: Undo[] = [];
    try {
      const result = await this.within(undos, steps);
      this.#current.getStore()?.push(...undos);
      return result;
    } catch (err) {
      if (isStorageRefusal(err)) await this.giveBack(undos);
      throw err;
    }
  }

  /**
   * Runs `undos` newest first and empties the list; one refused undo does not stop the others. The
   * writes that give back belong to no request (an enclosing one must not undo them again).
   */
  giveBack(undos: Undo[]): Promise<void> {
    return this.#current.exit(async () => {
      for (const undo of undos.splice(0).reverse()) await undo().catch(() => undefined);
    });
  }
}

/** A refused write of the store, as the store or the provider's adapter reports it. */
export const isStorageRefusal = (err: unknown): boolean =>
  err instanceof StoreWriteError || (err instanceof Error && err.cause instanceof StoreWriteError);
