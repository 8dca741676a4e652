import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { EventBus } from '../events.js';
import type { Authorizations } from '../oauth/authorizations.js';
import type { DeletionRequest } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { DELETION_TOKEN_TYPE, DELETION_URI_METADATA } from '../../../partners/sdk/data-deletion.js';

/** The wire contract's names, for the seed and the registry (which may not import partners/). */
export { DELETION_PATH, DELETION_URI_METADATA } from '../../../partners/sdk/data-deletion.js';

/** Deletion requests kept per person and client (retention rule of `authorizations.deletionRequests`). */
const KEEP_REQUESTS = 5;
/** A partner that takes longer than this has not answered (ms). */
const TIMEOUT_MS = 5000;

const answerSchema = z.object({
  status: z.literal('deleted'),
  messagesDeleted: z.number().int().min(0),
  sandbox: z.object({ messagesKept: z.number().int().min(0) }).optional(),
});

/**
 * Data-deletion requests from the platform to a client (README, "Retained copies and deletion
 * requests"): `POST <data_deletion_uri>` with the form field `deletion_token`, a JWT signed HS256
 * with the client's secret (as `client_secret_jwt`, RFC 7523 §2.2; shaped like an OpenID Connect
 * Back-Channel Logout token): `iss` = PLATFORM_URL, `aud` = client id, `sub` = person id, `jti`,
 * `iat`, `exp` (+60 s). The answer is kept on the person's authorization row (latest 5) and
 * announced as `deletion.requested`. Never throws for the partner's failures: they are outcomes.
 */
export function createDeletionRequests(deps: {
  issuer: string;
  store: Store;
  authorizations: Authorizations;
  events: EventBus;
  now: () => number;
}) {
  const { issuer, store, authorizations, events, now } = deps;

  async function send(uri: string, secret: string, clientId: string, personId: string): Promise<DeletionRequest> {
    const at = now();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: DELETION_TOKEN_TYPE })
      .setIssuer(issuer)
      .setAudience(clientId)
      .setSubject(personId)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(at / 1000))
      .setExpirationTime(Math.floor(at / 1000) + 60)
      .sign(new TextEncoder().encode(secret));
    try {
      const res = await fetch(uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ deletion_token: token }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      });
      const answer = answerSchema.safeParse(await res.json().catch(() => undefined));
      if (!res.ok || !answer.success)
        return { at, outcome: 'failed', detail: `the app answered HTTP ${res.status} without confirming` };
      const { messagesDeleted, sandbox } = answer.data;
      return { at, outcome: 'deleted', messagesDeleted, ...(sandbox ? { messagesKept: sandbox.messagesKept } : {}) };
    } catch {
      return { at, outcome: 'failed', detail: 'the app did not answer' };
    }
  }

  return {
    /**
     * Asks `clientId` to delete what it kept about `personId`, records and announces the outcome.
     * @returns the recorded request, or undefined when the person never authorized the client.
     */
    async request(personId: string, clientId: string): Promise<DeletionRequest | undefined> {
      const row = authorizations.get(personId, clientId);
      if (!row) return undefined;
      const world = store.generation;
      const metadata = store.client(clientId)?.metadata ?? {};
      const uri = metadata[DELETION_URI_METADATA];
      const secret = metadata['client_secret'];
      const request: DeletionRequest =
        typeof uri === 'string' && typeof secret === 'string'
          ? await send(uri, secret, clientId, personId)
          : { at: now(), outcome: 'failed', detail: 'the app registered no data-deletion address' };
      // Read again after the partner's answer: a reset meanwhile removed the row (or made another one).
      const latest = store.generation === world ? authorizations.get(personId, clientId) : undefined;
      if (!latest) return request;
      await store.put('authorizations', {
        ...latest,
        deletionRequests: [...(latest.deletionRequests ?? []), request].slice(-KEEP_REQUESTS),
      });
      events.emit('deletion.requested', { clientId, personId, request });
      return request;
    },
  };
}

export type DeletionRequests = ReturnType<typeof createDeletionRequests>;
