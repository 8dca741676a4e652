import type { EventBus } from '../events.js';
import type { Client } from '../store/schema.js';
import { errors } from 'oidc-provider';
import { codePointLength, hasInvisible, showsNothing, textProblem } from '../store/text.js';
import type { Store } from '../store/store.js';

/** A client's status: `shut_down` clients can neither authorize, refresh nor use their tokens. */
export type ClientStatus = Client['status'];

/**
 * Registered OAuth clients (the `clients` collection): what oidc-provider's Client model reads
 * (RFC 7591 metadata) and what Dynamic Client Registration writes.
 */
export interface ClientRegistry {
  /** The stored client, whatever its status. */
  get(clientId: string): Client | undefined;
  /** RFC 7591 metadata of an active client, or undefined when unknown or shut down. */
  activeMetadata(clientId: string): Record<string, unknown> | undefined;
  /**
   * Stores metadata written by oidc-provider (Dynamic Client Registration and its updates): keeps a
   * known client's status and origin; a new client is marked `dynamic` (unverified, RFC 7591 §5).
   */
  saveMetadata(clientId: string, metadata: Record<string, unknown>): Promise<void>;
  remove(clientId: string): Promise<void>;
  /** Switches a client on or off; emits `client.status`. @throws Error when the client is unknown. */
  setStatus(clientId: string, status: ClientStatus): Promise<void>;
}

/** Longest `client_name` (code points): a longer one could push the consent page's warning out of view. */
const CLIENT_NAME_MAX = 100;
/**
 * A self-asserted `client_name` (RFC 7591 §5) with invisible or reordering characters (store/text.ts
 * `hasInvisible`) could reverse, pad or hide the consent page's warning text around it.
 */
const INVISIBLE_PROBLEM =
  'must not contain invisible or text-reordering characters (bidi controls, zero-width characters, fillers)';

/** The first metadata field (e.g. `redirect_uris.0`) whose text cannot be stored, with why (README "Text in the store"). */
function metadataTextProblem(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem && `${path} ${problem}`;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const problem = metadataTextProblem(inner, path ? `${path}.${key}` : key);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The client registry over `store`; status changes are announced on `events` (`client.status`).
 * `builtIn` clients (the API docs page, docs-client.ts) come from the configuration: always active,
 * never stored, not changeable.
 */
export function createClientRegistry(store: Store, events: EventBus, builtIn: readonly Client[] = []): ClientRegistry {
  const fixed = new Map(builtIn.map((c) => [c.id, c]));
  const find = (clientId: string) => fixed.get(clientId) ?? store.client(clientId);
  return {
    get: find,
    activeMetadata(clientId) {
      const client = find(clientId);
      if (!client || client.status !== 'active') return undefined;
      return structuredClone({ ...client.metadata, client_id: client.id });
    },
    async saveMetadata(clientId, metadata) {
      if (fixed.has(clientId)) throw new Error(`${clientId} is built in and cannot be changed`);
      const existing = store.client(clientId);
      const name =
        typeof metadata['client_name'] === 'string' && metadata['client_name'] ? metadata['client_name'] : clientId;
      const problem =
        textProblem(name) ??
        (hasInvisible(name) ? INVISIBLE_PROBLEM : undefined) ??
        (showsNothing(name) ? 'must show something (not only spaces, fillers or blank characters)' : undefined) ??
        (codePointLength(name) > CLIENT_NAME_MAX
          ? `must be at most ${CLIENT_NAME_MAX} characters (Unicode code points)`
          : undefined);
      if (problem) throw new errors.InvalidClientMetadata(`client_name ${problem}`); // RFC 7591 §3.2.2
      const fieldProblem = metadataTextProblem(metadata, '');
      if (fieldProblem) throw new errors.InvalidClientMetadata(fieldProblem); // every stored field, not only the name
      const dynamic = existing ? existing.dynamic : true;
      await store.put('clients', {
        id: clientId,
        name,
        status: existing?.status ?? 'active',
        ...(dynamic ? { dynamic } : {}),
        metadata: structuredClone(metadata),
      });
    },
    remove: async (clientId) => {
      if (!fixed.has(clientId)) await store.delete('clients', clientId);
    },
    async setStatus(clientId, status) {
      const client = store.client(clientId);
      if (!client) throw new Error(`Unknown client ${clientId}${fixed.has(clientId) ? ' (built in)' : ''}`);
      await store.put('clients', { ...client, status });
      events.emit('client.status', { clientId, status });
    },
  };
}
