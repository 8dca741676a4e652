import type { Store } from '../store/store.js';
import { describeScope } from './scopes.js';

/** A group of people a grant would also reach, for the consent page. */
export interface AffectedGroup {
  /** e.g. "people in your group threads". */
  label: string;
  count: number;
  /** Up to five display names, then "and N more". */
  names: string;
  /** Of them, how many never authorized this app (they would be bystanders). */
  neverUsedApp: number;
}

function nameList(store: Store, ids: string[]): string {
  // By name, so the wording does not depend on which thread was active last.
  const names = ids.map((id) => store.get('people', id)?.displayName ?? id).sort((a, b) => a.localeCompare(b));
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * Where the authorization response goes, in words for the consent page (RFC 9700 §4.1): the host
 * of an `http`/`https` redirect URI; for a private-use scheme (RFC 8252 §7.1, `com.example.app:`)
 * the scheme, as an app on the person's device, since any "host" in such a URI is made up.
 */
export function answerDestination(redirectUri: string): string {
  if (!URL.canParse(redirectUri)) return redirectUri;
  const { protocol, host } = new URL(redirectUri);
  return protocol === 'http:' || protocol === 'https:' ? host : `an app on this device (${protocol})`;
}

/**
 * What the consent page shows for `personId` connecting `clientId` with `scopes` (exactly what Allow
 * grants and the token will carry): each scope in plain words, `isNew` when the person has not
 * granted it yet (`granted`: the grant's current scopes), the scopes granted earlier that this
 * request does not use, where the answer goes (`redirectHost`, RFC 9700 §4.1), whether the app is a
 * built-in partner or self-registered (`verified`, RFC 7591 §5), and who else is affected (counted
 * from the store: conversation partners, group-thread members, friends; each person once), with
 * how many of them never used the app.
 */
export function consentView(
  store: Store,
  input: {
    personId: string;
    clientId: string;
    appName: string;
    scopes: string[];
    granted: string[];
    redirectUri: string;
    verified: boolean;
  },
) {
  const { personId, clientId, appName, scopes, granted } = input;
  const everAuthorized = new Set(
    store
      .all('authorizations')
      .filter((a) => a.clientId === clientId)
      .map((a) => a.personId),
  );
  const threads = store.threadsOf(personId);
  const others = (list: typeof threads) =>
    [...new Set(list.flatMap((t) => t.participantIds))].filter((id) => id !== personId);
  // Each person is listed once, in the first (widest-reaching) group they belong to.
  const listed = new Set<string>();
  const group = (label: string, all: string[]): AffectedGroup => {
    const ids = all.filter((id) => !listed.has(id));
    ids.forEach((id) => listed.add(id));
    return {
      label,
      count: ids.length,
      names: nameList(store, ids),
      neverUsedApp: ids.filter((id) => !everAuthorized.has(id)).length,
    };
  };

  const affected: AffectedGroup[] = [];
  if (scopes.includes('messages:read') || scopes.includes('messages:delete')) {
    affected.push(group('people you have conversations with (their messages too)', others(threads)));
  }
  if (scopes.includes('threads:participants')) {
    affected.push(
      group(
        `${listed.size ? 'other ' : ''}people in your group threads`,
        others(threads.filter((t) => t.kind === 'group')),
      ),
    );
  }
  if (scopes.includes('friends:read'))
    affected.push(group(`${listed.size ? 'other ' : ''}friends of yours`, store.friendIdsOf(personId)));

  return {
    appName,
    clientId,
    verified: input.verified,
    redirectHost: answerDestination(input.redirectUri),
    scopes: scopes.map((s) => ({ ...describeScope(s, appName), isNew: !granted.includes(s) })),
    /** The person granted this app something before: "new" then tells what this Allow adds. */
    grantedBefore: granted.length > 0,
    alreadyAllowed: granted.filter((s) => !scopes.includes(s)).map((s) => describeScope(s, appName)),
    affected: affected.filter((g) => g.count > 0),
  };
}

export type ConsentView = ReturnType<typeof consentView>;
