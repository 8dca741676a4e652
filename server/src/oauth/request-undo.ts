import { AsyncLocalStorage } from 'node:async_hooks';

/** Puts one row back as it was; resolves once that is durable, rejects when the store refuses it. */
export type Undo = () => Promise<void>;

/**
 * The consumptions made durable during one provider request (an authorization code at `/token`, a
 * refresh token rotated), so that a request the store refuses halfway can give them back.
 *
 * Why: oidc-provider consumes the code, then stores the tokens, each its own write. If only the
 * token write is refused, the client gets `503 temporarily_unavailable` and retries with the same
 * code, which the provider then takes for a replay (RFC 9700 §4.5.3: it revokes the grant) though
 * no token was ever issued. Giving the code back makes the request all or nothing from the client's
 * side. A replay that came in meanwhile has revoked the grant already, so the code given back can
 * no longer be exchanged: it never yields tokens twice. If the disk refuses the undo as well, the
 * code stays consumed: the failure is the safe one (the person authorizes again).
 */
export class ConsumptionUndo {
  readonly #current = new AsyncLocalStorage<Undo[]>();

  /** Runs `serve` as one provider request whose undos are collected in `undos`. */
  within<T>(undos: Undo[], serve: () => Promise<T>): Promise<T> {
    return this.#current.run(undos, serve);
  }

  /** Registers `undo` with the request being served (nothing outside a request). */
  add(undo: Undo): void {
    this.#current.getStore()?.push(undo);
  }
}

/** Runs `undos` newest first and empties the list; one refused undo does not stop the others. */
export async function giveBack(undos: Undo[]): Promise<void> {
  for (const undo of undos.splice(0).reverse()) await undo().catch(() => undefined);
}
