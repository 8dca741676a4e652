import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../clock/clock.js';
import { ANONYMOUS, type Store } from '../store/store.js';
import type { ClientRegistry } from './client-registry.js';
import { providerWrite } from './storage-refusal.js';

/**
 * oidc-provider's storage adapter over our Store. Each model instance (Session, Interaction, Grant,
 * AuthorizationCode, AccessToken, RefreshToken, RegistrationAccessToken…) is one row of the `oidc`
 * collection with id `${model}:${id}`; the `Client` model reads and writes the `clients` collection
 * instead (a shut-down client is "not found", so it can neither authorize nor use the token endpoint).
 * Expiry follows the platform `clock`: oidc-provider reads the wall clock itself
 * (`lib/helpers/epoch_time.js`, no option to replace it), so each record's `expiresAt` is set and
 * judged on the platform clock: a record past its time there is "not found" (a code or refresh token
 * then gets `invalid_grant`, an access token 401). oidc-provider's own wall-clock checks are never
 * stricter (the platform clock is never behind the wall clock); the `iat`/`exp` inside payloads
 * (and so in introspection answers) stay wall-clock seconds. Payloads are copied in and out: the provider mutates what it reads,
 * the store's rows must never change outside a journaled write. A write the store refuses
 * (StoreWriteError, nothing stored) rejects with OAuthStorageUnavailable (storage-refusal.ts): the
 * endpoint answers `503 temporarily_unavailable` with `Retry-After`, never `500 server_error`. Every
 * change it makes is kept by RequestUndo, so that a request refused after it gives it back (request-undo.ts).
 */
export function storeAdapterFactory(
  store: Store,
  clients: ClientRegistry,
  clock: Clock,
  maxPendingSignIns: number,
): (model: string) => Adapter {
  return (model) =>
    model === 'Client' ? clientAdapter(clients) : recordAdapter(store, model, clock, maxPendingSignIns);
}

/** The provider sessions (one per browser that signed in, kept 14 days) a person keeps at most. */
export const SESSIONS_PER_PERSON = 50;

/**
 * Makes room for one more provider session: past `SESSIONS_PER_PERSON` for a person, or past
 * `maxAnonymous` for sessions of nobody yet (oidc-provider saves one, kept 10 minutes, for each
 * request carrying a provider cookie whose session is gone), the oldest are deleted; that browser
 * signs in again at its next authorization request, through its web session. Without it, a client
 * dropping the provider's cookie made one 14-day record per sign-in, and one keeping a stale cookie
 * one record per request, at its own rate.
 */
async function forgetOldestSessions(store: Store, accountId: unknown, maxAnonymous: number): Promise<void> {
  const person = typeof accountId === 'string' ? accountId : ANONYMOUS;
  const sessions = store.oidcFind(`session-of:${person}`);
  const excess = sessions.length - ((person === ANONYMOUS ? maxAnonymous : SESSIONS_PER_PERSON) - 1);
  if (excess > 0) await Promise.all(sessions.slice(0, excess).map((s) => store.delete('oidc', s.id)));
}

/**
 * Whether saving this record starts a sign-in (counted against `PENDING_SIGN_INS_MAX`): a pushed
 * authorization request (RFC 9126), or an interaction, unless it continues one whose login step was
 * just answered (`lastSubmission`: oidc-provider ends that interaction and saves a new one for the
 * consent, and a flood must not take that place in between).
 */
function startsSignIn(model: string, payload: AdapterPayload): boolean {
  if (model === 'PushedAuthorizationRequest') return true;
  return model === 'Interaction' && payload.lastSubmission === undefined;
}

/**
 * A new sign-in refused because `PENDING_SIGN_INS_MAX` are in progress: each keeps the authorization
 * request's parameters (up to about 16 kB from `/auth`, 67 kB pushed to `/request`) for 10 minutes
 * (a pushed request 1 minute), in memory and in the journal, so without a bound a flood of anonymous
 * requests (the API docs' client is public) would grow both at its own rate. oidc-provider answers
 * it as RFC 6749 §4.1.2.1 `temporarily_unavailable` ("a temporary overloading"), redirected to the
 * client like its other authorization errors.
 */
export class TooManySignIns extends errors.TemporarilyUnavailable {
  override name = 'TooManySignIns';
  constructor() {
    super('Too many sign-ins are in progress; try again in a few minutes');
  }
}

/** The `oidc` row id of a provider model instance. */
export function oidcRowId(model: string, id: string): string {
  return `${model}:${id}`;
}

function recordAdapter(store: Store, model: string, clock: Clock, maxPendingSignIns: number): Adapter {
  const key = (id: string) => oidcRowId(model, id);
  const live = (record: { payload: Record<string, unknown>; expiresAt?: number } | undefined) =>
    record && (record.expiresAt === undefined || record.expiresAt > clock.now())
      ? (structuredClone(record.payload) as AdapterPayload)
      : undefined;
  const byIndex = (index: `uid:${string}` | `userCode:${string}`) =>
    live(store.oidcFind(index).find((r) => r.model === model));

  return {
    upsert: (id, payload, expiresIn) => {
      const isNew = !store.get('oidc', key(id));
      if (isNew && startsSignIn(model, payload) && store.pendingSignIns() >= maxPendingSignIns)
        return Promise.reject(new TooManySignIns());
      return providerWrite(async () => {
        if (isNew && model === 'Session') await forgetOldestSessions(store, payload['accountId'], maxPendingSignIns);
        await store.put('oidc', {
          id: key(id),
          model,
          payload: structuredClone(payload) as Record<string, unknown>,
          ...(expiresIn ? { expiresAt: clock.now() + expiresIn * 1000 } : {}),
        });
      });
    },
    async find(id) {
      return live(store.get('oidc', key(id)));
    },
    async findByUid(uid) {
      return byIndex(`uid:${uid}`);
    },
    async findByUserCode(userCode) {
      return byIndex(`userCode:${userCode}`);
    },
    consume: (id) =>
      providerWrite(async () => {
        const record = store.get('oidc', key(id));
        if (record)
          await store.put('oidc', {
            ...record,
            payload: { ...record.payload, consumed: Math.floor(clock.now() / 1000) },
          });
      }),
    destroy: (id) => providerWrite(() => store.delete('oidc', key(id))),
    revokeByGrantId: (grantId) =>
      providerWrite(async () => {
        const rows = store.oidcFind(`grant:${grantId}`).filter((r) => r.model === model);
        await Promise.all(rows.map((r) => store.delete('oidc', r.id)));
      }),
  };
}

function clientAdapter(clients: ClientRegistry): Adapter {
  const unsupported = async () => undefined;
  return {
    upsert: (id, payload) => providerWrite(() => clients.saveMetadata(id, payload as Record<string, unknown>)),
    async find(id) {
      return clients.activeMetadata(id) as AdapterPayload | undefined;
    },
    destroy: (id) => providerWrite(() => clients.remove(id)),
    findByUid: unsupported,
    findByUserCode: unsupported,
    consume: unsupported,
    revokeByGrantId: unsupported,
  };
}
