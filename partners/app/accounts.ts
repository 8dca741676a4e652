import {
  createGlasshouseClient,
  type DPoPKey,
  type GlasshouseClient,
  type Person,
  type TokenSet,
} from '../sdk/index.js';
import type { PartnerConfig } from './config.js';

/** A person who logged into this partner with Glasshouse, as the partner's own database keeps them. */
export interface Account {
  person: Person;
  tokens: TokenSet;
  /** Friend ids who get "now playing" messages. */
  shareWith: string[];
  /** Display names seen so far (friends, participants), by person id, for the live feed. */
  names: Map<string, string>;
}

/**
 * The partner's user table, in memory: one entry per person, holding their Glasshouse tokens (like
 * the real integrations did, server side). `client(personId)` gives an SDK client whose refreshes
 * are written back here, so every request and the socket relay share one token set per person.
 * With `dpop`, every client sends its token with DPoP proofs of that key (RFC 9449).
 */
export function createAccounts(
  config: Pick<PartnerConfig, 'platformUrl' | 'clientId' | 'clientSecret'>,
  dpop?: DPoPKey,
) {
  const accounts = new Map<string, Account>();
  const clients = new Map<string, GlasshouseClient>();

  return {
    get(personId: string): Account | undefined {
      return accounts.get(personId);
    },
    /** After a login: keeps the person's previous choices, replaces their tokens. */
    upsert(person: Person, tokens: TokenSet): Account {
      const previous = accounts.get(person.id);
      const account: Account = {
        person,
        tokens,
        shareWith: previous?.shareWith ?? [],
        names: previous?.names ?? new Map(),
      };
      account.names.set(person.id, person.displayName);
      accounts.set(person.id, account);
      clients.delete(person.id);
      return account;
    },
    /** Forgets the person's tokens (logout, revocation, shut-down). */
    remove(personId: string): void {
      accounts.delete(personId);
      clients.delete(personId);
    },
    /** The API client for the person's tokens. @throws Error when the person has no account. */
    client(personId: string): GlasshouseClient {
      const existing = clients.get(personId);
      if (existing) return existing;
      const account = accounts.get(personId);
      if (!account) throw new Error(`no account for ${personId}`);
      const client = createGlasshouseClient({
        baseUrl: config.platformUrl,
        accessToken: account.tokens.accessToken,
        refreshToken: account.tokens.refreshToken,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        dpop,
        onTokens: (tokens) => {
          account.tokens = tokens;
        },
      });
      clients.set(personId, client);
      return client;
    },
    /** Remembers display names (from friends or participants lists). */
    learnNames(personId: string, people: Person[]): void {
      const names = accounts.get(personId)?.names;
      for (const p of people) names?.set(p.id, p.displayName);
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
