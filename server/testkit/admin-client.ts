import { z } from 'zod';
import {
  accessEntrySchema,
  adminClientSchema,
  adminMessageSchema,
  adminPersonSchema,
  adminTokenResponseSchema,
  clientExposureSchema,
  clockInfoSchema,
  faultSchema,
  personExposureSchema,
  resetResultSchema,
  type AccessEntry,
  type ClockInfo,
  type Fault,
  type FaultRequest,
  type TokenTarget,
  type AccessLogFilter,
  type AdminClientInfo,
  type AdminMessage,
  type AdminPerson,
  type AdminTokenResponse,
  type ClientExposure,
  type ClientStatus,
  type PersonExposure,
  type PolicyMode,
  type ResetResult,
} from './admin-types.js';
import { apiErrorOf } from '../../partners/sdk/client.js';
import { GlasshouseError } from '../../partners/sdk/errors.js';
import { jsonOrUndefined, send } from '../../partners/sdk/http.js';

export interface AdminClientOptions {
  /** Platform root, e.g. `http://localhost:3000` (the admin API is under `/admin`). */
  baseUrl: string;
  /** The platform's `ADMIN_TOKEN`. */
  adminToken: string;
  fetch?: typeof fetch | undefined;
}

/**
 * A typed client of the admin API (for testers and educators). Every method may throw:
 * - `GlasshouseApiError` (status + RFC 9457 `problem`): 401 wrong admin token, 400 invalid input,
 *   404 unknown person, client, thread or grant, 403 (`mintToken` for a shut-down client);
 * - `GlasshouseUnreachableError` when the platform does not answer;
 * - `GlasshouseError` when an answer does not have the documented shape.
 */
export interface AdminClient {
  /** `POST /admin/reset`: back to the seed; every grant and token gone. */
  reset(): Promise<ResetResult>;
  /** `POST /admin/tokens`: tokens for (person, client, scopes) as if the person had consented. */
  mintToken(request: {
    username: string;
    clientId: string;
    scopes: string[];
    expiresIn?: number;
  }): Promise<AdminTokenResponse>;
  /**
   * `POST /admin/tokens/expire`: time runs out now for one token, or for a grant's (client's) access
   * tokens, their refresh tokens left working. Resolves to the number of tokens expired.
   */
  expireTokens(target: TokenTarget): Promise<number>;
  /** `POST /admin/tokens/revoke`: one token only, or the grant(s) and all they issued. Resolves to the count. */
  revokeTokens(target: TokenTarget): Promise<number>;
  /** `GET /admin/clock`: the platform's now, and whether it can be advanced. */
  clock(): Promise<ClockInfo>;
  /** `POST /admin/clock/advance`: moves the platform clock forward (409 on a wall-clock platform). */
  advanceClock(seconds: number): Promise<ClockInfo>;
  /** `POST /admin/faults`: injects a fault for one client or token; resolves to the fault in force. */
  injectFault(request: FaultRequest): Promise<Fault>;
  /** `GET /admin/faults`: faults still in force. */
  faults(): Promise<Fault[]>;
  /** `DELETE /admin/faults`: ends every fault now. */
  clearFaults(): Promise<void>;
  /** `POST /admin/grants/revoke`: the person's grant to the client and all its tokens (404 if none current). */
  revokeGrant(request: { username: string; clientId: string }): Promise<void>;
  /** `GET /admin/access-log`: matching entries, newest last. */
  accessLog(filter?: AccessLogFilter): Promise<AccessEntry[]>;
  /** `GET /admin/exposure[?clientId=]`: what each client (or the one given) saw. */
  exposure(filter?: { clientId?: string }): Promise<ClientExposure[]>;
  /** `GET /admin/exposure?username=`: which apps saw this person, and on whose say-so. */
  personExposure(username: string): Promise<PersonExposure>;
  /** `PUT /admin/policy`: switch the policy mode at run time; resolves to the mode now in force. */
  setPolicy(mode: PolicyMode): Promise<PolicyMode>;
  /** `PATCH /admin/clients/{clientId}`: shut a client down (its tokens stop at once) or bring it back. */
  setClientStatus(clientId: string, status: ClientStatus): Promise<AdminClientInfo>;
  /** `GET /admin/clients`: registered OAuth clients and their status. */
  clients(): Promise<AdminClientInfo[]>;
  /** `GET /admin/people`: every person (id, username, display name). */
  people(): Promise<AdminPerson[]>;
  /** `GET /admin/threads/{threadId}/messages`: every message of a thread, oldest first. */
  threadMessages(threadId: string): Promise<AdminMessage[]>;
}

/** `?a=1&b=2` of the defined values ('' when none). */
function queryOf(params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value));
  return query.size ? `?${query}` : '';
}

/** A client for the admin API. See `AdminClient` for shapes and errors. */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const fetchImpl = options.fetch ?? fetch;

  async function call<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T | undefined,
    body?: unknown,
  ): Promise<z.infer<T>> {
    const res = await send(fetchImpl, new URL(`/admin${path}`, options.baseUrl).href, {
      method,
      headers: {
        authorization: `Bearer ${options.adminToken}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw await apiErrorOf(res);
    if (!schema) {
      await res.body?.cancel();
      return undefined as z.infer<T>;
    }
    const parsed = schema.safeParse(await jsonOrUndefined(res));
    if (!parsed.success) throw new GlasshouseError(`Unexpected response shape from ${method} /admin${path}`);
    return parsed.data;
  }

  const id = encodeURIComponent;
  const countSchema = z.looseObject({ count: z.number() });
  const list = <T extends z.ZodType>(key: string, item: T) =>
    z.looseObject({ [key]: z.array(item) }).transform((o) => o[key] as z.infer<T>[]);
  return {
    reset: () => call('POST', '/reset', resetResultSchema),
    mintToken: (request) => call('POST', '/tokens', adminTokenResponseSchema, request),
    expireTokens: async (target) => (await call('POST', '/tokens/expire', countSchema, target)).count,
    revokeTokens: async (target) => (await call('POST', '/tokens/revoke', countSchema, target)).count,
    clock: () => call('GET', '/clock', clockInfoSchema),
    advanceClock: (seconds) => call('POST', '/clock/advance', clockInfoSchema, { seconds }),
    injectFault: (request) => call('POST', '/faults', faultSchema, request),
    faults: () => call('GET', '/faults', list('faults', faultSchema)),
    async clearFaults() {
      await call('DELETE', '/faults', undefined);
    },
    async revokeGrant(request) {
      await call('POST', '/grants/revoke', undefined, request);
    },
    accessLog: (filter = {}) => call('GET', `/access-log${queryOf({ ...filter })}`, list('entries', accessEntrySchema)),
    exposure: (filter = {}) =>
      call('GET', `/exposure${queryOf({ clientId: filter.clientId })}`, list('clients', clientExposureSchema)),
    personExposure: (username) =>
      call(
        'GET',
        `/exposure${queryOf({ username })}`,
        z.looseObject({ person: personExposureSchema }).transform((o) => o.person),
      ),
    setPolicy: async (mode) =>
      (await call('PUT', '/policy', z.looseObject({ mode: z.enum(['broad', 'least-privilege']) }), { mode })).mode,
    setClientStatus: (clientId, status) => call('PATCH', `/clients/${id(clientId)}`, adminClientSchema, { status }),
    clients: () => call('GET', '/clients', list('clients', adminClientSchema)),
    people: () => call('GET', '/people', list('people', adminPersonSchema)),
    threadMessages: (threadId) =>
      call('GET', `/threads/${id(threadId)}/messages`, list('messages', adminMessageSchema)),
  };
}
