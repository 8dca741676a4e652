import type { EventBus } from '../events.js';
import type { Client } from '../store/schema.js';
import { errors } from 'oidc-provider';
import { textProblem } from '../store/text.js';
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
  /** Stores metadata written by oidc-provider (registration, update); keeps a known client's status. */
  saveMetadata(clientId: string, metadata: Record<string, unknown>): Promise<void>;
  remove(clientId: string): Promise<void>;
  /** Switches a client on or off; emits `client.status`. @throws Error when the client is unknown. */
  setStatus(clientId: string, status: ClientStatus): Promise<void>;
}

/** The client registry over `store`; status changes are announced on `events` (`client.status`). */
export function createClientRegistry(store: Store, events: EventBus): ClientRegistry {
  return {
    get: (clientId) => store.client(clientId),
    activeMetadata(clientId) {
      const client = store.client(clientId);
      if (!client || client.status !== 'active') return undefined;
      return structuredClone({ ...client.metadata, client_id: client.id });
    },
    async saveMetadata(clientId, metadata) {
      const existing = store.client(clientId);
      const name = typeof metadata['client_name'] === 'string' && metadata['client_name'] ? metadata['client_name'] : clientId;
      const problem = textProblem(name);
      if (problem) throw new errors.InvalidClientMetadata(`client_name ${problem}`); // RFC 7591 §3.2.2
      await store.put('clients', { id: clientId, name, status: existing?.status ?? 'active', metadata: structuredClone(metadata) });
    },
    remove: (clientId) => store.delete('clients', clientId),
    async setStatus(clientId, status) {
      const client = store.client(clientId);
      if (!client) throw new Error(`Unknown client ${clientId}`);
      await store.put('clients', { ...client, status });
      events.emit('client.status', { clientId, status });
    },
  };
}
