import { z } from 'zod';
import { discover, type AuthorizationServerMetadata } from './discovery.js';
import { GlasshouseApiError, GlasshouseError, type Problem } from './errors.js';
import { authorizedRequest } from './authorized-request.js';
import type { DPoPKey } from './dpop.js';
import { jsonOrUndefined } from './http.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { refreshTokens, type TokenSet } from './tokens.js';
import {
  messageSchema,
  pageSchema,
  personSchema,
  threadSchema,
  type Message,
  type NewMessage,
  type Page,
  type PageQuery,
  type Person,
  type Thread,
} from './types.js';

export interface GlasshouseClientOptions {
  /** Platform root, e.g. `http://localhost:3000` (the API is under `/api/v1`). */
  baseUrl: string;
  accessToken: string;
  /** With `clientId` and `clientSecret`, lets the client refresh on a 401. */
  refreshToken?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** Called after each successful refresh with the new tokens (persist them here). */
  onTokens?: ((tokens: TokenSet) => void | Promise<void>) | undefined;
  /** Sends the token as `Authorization: DPoP` with a fresh proof per request, and binds refreshed
   *  tokens to this key (RFC 9449 §7.1); for tokens obtained with the same key. */
  dpop?: DPoPKey | undefined;
  /** Known metadata (skips discovery of the token endpoint). */
  metadata?: AuthorizationServerMetadata | undefined;
  fetch?: typeof fetch | undefined;
  /** Retries after 429/503 honouring Retry-After (default: up to 2, waits up to 30 s each; see RetryPolicy). */
  retry?: RetryPolicy | undefined;
}

/**
 * A typed client of the messaging API for one resource owner's tokens. A 429 or 503 is tried again
 * after its `Retry-After` (`options.retry`); a 401 refreshes once when it can. Every method may throw:
 * - `GlasshouseApiError` (status + RFC 9457 `problem`): 401 bad token (after a failed or impossible
 *   refresh), 403 `insufficient_scope` (see `requiredScope`), 404 what the token may not see, 400
 *   `validation_failed`…;
 * - `GlasshouseTokenError` when a refresh was refused: `invalid_grant` (revoked: log in again) or
 *   `invalid_client` (the client is shut down);
 * - `GlasshouseUnreachableError` when the platform does not answer.
 */
export interface GlasshouseClient {
  /** The tokens in use (updated by refreshes). */
  readonly tokens: TokenSet;
  /** `GET /me` (scope `profile`). */
  me(): Promise<Person>;
  /** `GET /me/friends` (scope `friends:read`), one page. */
  friends(page?: PageQuery): Promise<Page<Person>>;
  /** `GET /threads` (scope `messages:read`), most recent activity first; which threads depends on the policy. */
  threads(page?: PageQuery): Promise<Page<Thread>>;
  /** `GET /threads/{id}/messages` (scope `messages:read`), newest first; `maxId` pages back in time, `sinceId`/`minId` forward. */
  messages(threadId: string, page?: PageQuery): Promise<Page<Message>>;
  /** `GET /threads/{id}/participants` (scope `threads:participants`), one page. */
  participants(threadId: string, page?: PageQuery): Promise<Page<Person>>;
  /**
   * `POST /threads/{id}/messages` (scope `messages:write`). Sent with an `Idempotency-Key` (a fresh
   * UUID unless `write.idempotencyKey` is given; reuse yours to retry safely), which the client's own
   * retry after a refresh reuses: a retried write is stored once.
   */
  postMessage(threadId: string, message: NewMessage, write?: WriteOptions): Promise<Message>;
  /** `POST /me/messages` (scope `messages:write`): to a friend, in the 1:1 thread (created if needed). Idempotency as `postMessage`. */
  sendToPerson(to: string, message: NewMessage, write?: WriteOptions): Promise<Message>;
  /** `DELETE /messages/{id}` (scope `messages:delete`); resolves on 204. */
  deleteMessage(messageId: string): Promise<void>;
  /** Refreshes now. @throws GlasshouseError when no refresh token or credentials were given. */
  refresh(): Promise<TokenSet>;
}

const API_BASE = '/api/v1';

/** Options of a write. */
export interface WriteOptions {
  /** The `Idempotency-Key` to send (1–255 visible ASCII); default a fresh UUID per call. */
  idempotencyKey?: string;
}

/** `?limit=…&max_id=…&since_id=…&min_id=…` of a page query ('' when empty). */
function qs(page: PageQuery = {}): string {
  const query = new URLSearchParams();
  if (page.limit !== undefined) query.set('limit', String(page.limit));
  if (page.maxId !== undefined) query.set('max_id', page.maxId);
  if (page.before !== undefined) query.set('before', page.before);
  if (page.sinceId !== undefined) query.set('since_id', page.sinceId);
  if (page.minId !== undefined) query.set('min_id', page.minId);
  return query.size ? `?${query}` : '';
}

/**
 * Every item of a paged list, fetching page after page (each page is one API call).
 * @example const friends = await allPages((page) => client.friends(page));
 */
export async function allPages<T>(fetchPage: (page: PageQuery) => Promise<Page<T>>, limit = 100): Promise<T[]> {
  const items: T[] = [];
  let maxId: string | undefined;
  do {
    const page = await fetchPage({ limit, ...(maxId ? { maxId } : {}) });
    items.push(...page.items);
    maxId = page.nextCursor ?? undefined;
  } while (maxId);
  return items;
}

/**
 * Every item newer than `cursor` (a page's `prevCursor` or an item id, deleted or not), oldest
 * first, walking forward with `minId` (no gaps): catch-up after a reconnect, or the end of a walk
 * during which items moved or arrived. Returns the items and the cursor to pass next time.
 * @example const { items, cursor } = await newerThan((page) => client.messages(threadId, page), lastSeenId);
 */
export async function newerThan<T>(
  fetchPage: (page: PageQuery) => Promise<Page<T>>,
  cursor: string,
  limit = 100,
): Promise<{ items: T[]; cursor: string }> {
  const items: T[] = [];
  for (;;) {
    const page = await fetchPage({ limit, minId: cursor });
    if (page.items.length === 0) return { items, cursor };
    items.push(...[...page.items].reverse());
    cursor = page.prevCursor ?? cursor;
  }
}

/** Builds the error for a non-2xx API answer; a body that is not problem details is synthesised. */
export async function apiErrorOf(res: Response): Promise<GlasshouseApiError> {
  const body = (await jsonOrUndefined(res)) as Partial<Problem> | undefined;
  const problem: Problem =
    body && typeof body === 'object' && typeof body.type === 'string'
      ? (body as Problem)
      : {
          type: 'about:blank',
          title: res.statusText || 'Error',
          status: res.status,
          detail: res.statusText || `HTTP ${res.status}`,
        };
  return new GlasshouseApiError(res.status, problem, res.headers.get('www-authenticate') ?? undefined);
}

/** A client for the messaging API. See `GlasshouseClient` for shapes and errors. */
export function createGlasshouseClient(options: GlasshouseClientOptions): GlasshouseClient {
  const fetchImpl = options.fetch ?? fetch;
  let tokens: TokenSet = { accessToken: options.accessToken, refreshToken: options.refreshToken };
  let metadata = options.metadata;
  let refreshing: Promise<TokenSet> | undefined;

  const canRefresh = () => Boolean(tokens.refreshToken && options.clientId && options.clientSecret);

  async function doRefresh(): Promise<TokenSet> {
    if (!canRefresh()) throw new GlasshouseError('Cannot refresh: no refresh token or client credentials');
    metadata ??= await discover(options.baseUrl, fetchImpl);
    const { raw: _raw, ...next } = await refreshTokens(
      metadata,
      { clientId: options.clientId!, clientSecret: options.clientSecret! },
      tokens.refreshToken!,
      {
        fetch: fetchImpl,
        dpop: options.dpop,
      },
    );
    tokens = next;
    await options.onTokens?.(tokens);
    return tokens;
  }

  /** One refresh at a time: concurrent 401s share it (a rotated refresh token is single-use). */
  function refresh(): Promise<TokenSet> {
    refreshing ??= doRefresh().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function call<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T | undefined,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<z.infer<T>> {
    // One key for the call, so every attempt of it (the retry after a refresh) is the same write.
    const key = method === 'POST' ? (idempotencyKey ?? globalThis.crypto.randomUUID()) : undefined;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    };
    const request = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const attempt = (token: string) =>
      authorizedRequest(fetchImpl, new URL(API_BASE + path, options.baseUrl), request, token, options.dpop);
    const withRetries = (token: string) => withRetry(() => attempt(token), options.retry);
    const used = tokens.accessToken;
    let res = await withRetries(used);
    if (res.status === 401 && canRefresh()) {
      await res.body?.cancel();
      // Another call may have refreshed meanwhile: use its token rather than refreshing again.
      const fresh = tokens.accessToken !== used ? tokens : await refresh();
      res = await withRetries(fresh.accessToken);
    }
    if (!res.ok) throw await apiErrorOf(res);
    if (!schema) {
      await res.body?.cancel();
      return undefined as z.infer<T>;
    }
    const parsed = schema.safeParse(await jsonOrUndefined(res));
    if (!parsed.success) throw new GlasshouseError(`Unexpected response shape from ${method} ${API_BASE}${path}`);
    return parsed.data;
  }

  const id = encodeURIComponent;
  return {
    get tokens() {
      return tokens;
    },
    me: () => call('GET', '/me', personSchema),
    friends: (page) => call('GET', `/me/friends${qs(page)}`, pageSchema(personSchema)),
    threads: (page) => call('GET', `/threads${qs(page)}`, pageSchema(threadSchema)),
    messages: (threadId, page) =>
      call('GET', `/threads/${id(threadId)}/messages${qs(page)}`, pageSchema(messageSchema)),
    participants: (threadId, page) =>
      call('GET', `/threads/${id(threadId)}/participants${qs(page)}`, pageSchema(personSchema)),
    postMessage: (threadId, message, write) =>
      call('POST', `/threads/${id(threadId)}/messages`, messageSchema, message, write?.idempotencyKey),
    sendToPerson: (to, message, write) =>
      call('POST', '/me/messages', messageSchema, { to, ...message }, write?.idempotencyKey),
    async deleteMessage(messageId) {
      await call('DELETE', `/messages/${id(messageId)}`, undefined);
    },
    refresh,
  };
}
