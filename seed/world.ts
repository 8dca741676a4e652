import { WORLD_FORMAT, type Client, type Message, type Thread, type World } from '../server/src/store/schema.js';
import { pairKey } from '../server/src/store/store.js';
import { DELETION_PATH, DELETION_URI_METADATA } from '../server/src/retention/deletion-requests.js';
import { DEMO_PARTNER_SECRETS } from '../server/src/config.js';
import { API_SCOPES } from '../server/src/oauth/scopes.js';

/** Every seeded person's password. */
export const DEMO_PASSWORD = 'glasshouse';

/** Fixed start of the seeded history: Monday 5 January 2026, 09:00 UTC (ms). */
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MINUTE = 60_000;

/**
 * Precomputed scrypt hashes of `glasshouse` with fixed salts (sha256('glasshouse-seed:'+username)),
 * so that seeding stays deterministic and costs no KDF time. A test re-verifies each one.
 */
const HASHES: Record<string, string> = {
  alice: 'scrypt$16384$8$1$b8gBrw2KFIR6z1nDO2Jfxg==$0hk4VtTmQMHrm9c63nOnb4x8EkW5lRwPCVRM/ld/920=',
  bob: 'scrypt$16384$8$1$EwEdJGTE+GK86iPdZ7iZGw==$JBqWU7urCdOHlQtoQbAHrHjZC2rxh+Sv4eEGK9skL/4=',
  carol: 'scrypt$16384$8$1$/nZL5tWEjkqVH1WU9YixiA==$mmcHQjcNMBMZOZOAz7qQF6CS/xU89HHjrzpZV4GGjWk=',
  dave: 'scrypt$16384$8$1$S4dlIZm5MxrpPxjIXSLQxA==$G8aWYw0+JpVQ5BvgZJidepU5Jv0RFEuunXLXkeq/L5s=',
  erin: 'scrypt$16384$8$1$tLcAtpB60bfOJwGUW1J9Xg==$Y6UqatKgZXJrVEzYYtisGqrbuksAgR9+dnDyXyldPL8=',
  frank: 'scrypt$16384$8$1$uBwjLqXV/hDToWMjwx50oQ==$JhHCEm28gyjTbqHUaEPkHfk7czNgzxglBh7AGNBTxqw=',
  grace: 'scrypt$16384$8$1$aCMlNYdSO4z2W6vKxvrt5Q==$AkaNz4/BUOJwtadBc08kflV18IsOPQ7Wq4NcQ6bCPOM=',
  heidi: 'scrypt$16384$8$1$SEpomdE/7UE/H1EtDEFhzA==$6/u4WcjR29ld+6fE/q8ceItjSL8EbtP/fmGxAnFEl00=',
  ivan: 'scrypt$16384$8$1$BHJSEvBmqCj6UbQASXgllQ==$Zr/3gGTjuvL555YPqzR5Gy5BqGBf3GklQPLrhbH0aKw=',
  judy: 'scrypt$16384$8$1$qL+25LmfvERIJ1trIo/qww==$O9YO8Y9v/3T8H8e5pBEfzPa/adR3IP636eZ9nWbxvLQ=',
};

/** The seeded people: username → display name. `alice` is also an admin (may open the monitor). */
export const SEED_PEOPLE: Record<string, string> = {
  alice: 'Alice Moreau',
  bob: 'Bob Okafor',
  carol: 'Carol Lindqvist',
  dave: 'Dave Nakamura',
  erin: 'Erin Castillo',
  frank: 'Frank Osei',
  grace: 'Grace Petrova',
  heidi: 'Heidi Brandt',
  ivan: 'Ivan Duarte',
  judy: 'Judy Haddad',
};

const FRIENDS: [string, string][] = [
  ['alice', 'bob'],
  ['alice', 'carol'],
  ['alice', 'erin'],
  ['alice', 'heidi'],
  ['alice', 'ivan'],
  ['bob', 'carol'],
  ['bob', 'dave'],
  ['bob', 'erin'],
  ['carol', 'erin'],
  ['carol', 'frank'],
  ['carol', 'dave'],
  ['carol', 'grace'],
  ['dave', 'erin'],
  ['dave', 'frank'],
  ['frank', 'grace'],
  ['grace', 'heidi'],
  ['heidi', 'ivan'],
  ['ivan', 'judy'],
];

type Line = [sender: string, text: string];
interface SeedThread {
  id: string;
  title?: string;
  people: string[];
  lines: Line[];
}

const THREADS: SeedThread[] = [
  {
    id: 't_alice_bob',
    people: ['alice', 'bob'],
    lines: [
      ['alice', 'Are we still on for Thursday?'],
      ['bob', 'Yes! 7pm at the usual place.'],
      ['alice', 'Great. I will bring the board game.'],
      ['bob', "Don't tell Carol about the surprise party yet."],
    ],
  },
  {
    id: 't_alice_carol',
    people: ['alice', 'carol'],
    lines: [
      ['carol', 'How did the interview go?'],
      ['alice', 'Better than expected, they asked about my thesis.'],
      ['carol', 'Fingers crossed for you!'],
    ],
  },
  {
    id: 't_bob_dave',
    people: ['bob', 'dave'],
    lines: [
      ['dave', 'Can you lend me your drill this weekend?'],
      ['bob', 'Sure, pick it up Saturday morning.'],
    ],
  },
  {
    id: 't_dave_erin',
    people: ['dave', 'erin'],
    lines: [
      ['erin', 'My new address is 14 Linden Row, flat 3.'],
      ['dave', 'Noted, I will send the invitation there.'],
    ],
  },
  {
    id: 't_carol_frank',
    people: ['carol', 'frank'],
    lines: [
      ['frank', 'The doctor says the results are fine.'],
      ['carol', "That's such a relief, Frank."],
    ],
  },
  {
    id: 't_grace_heidi',
    people: ['grace', 'heidi'],
    lines: [
      ['heidi', 'Did you get the tickets?'],
      ['grace', 'Two seats, row F. See you there.'],
    ],
  },
  {
    id: 't_ivan_judy',
    people: ['ivan', 'judy'],
    lines: [
      ['judy', 'Happy birthday Ivan!'],
      ['ivan', 'Thank you Judy :)'],
    ],
  },
  {
    id: 'g_weekend',
    title: 'Weekend plans',
    people: ['alice', 'bob', 'carol', 'erin'],
    lines: [
      ['carol', 'Hike on Saturday? Forecast looks sunny.'],
      ['erin', "I'm in, but I can only stay until 3."],
      ['bob', 'I can drive, four seats.'],
      ['alice', 'Perfect, I will pack sandwiches.'],
      ['erin', 'Please no peanuts, I am allergic.'],
    ],
  },
  {
    id: 'g_book_club',
    title: 'Book club',
    people: ['carol', 'dave', 'frank', 'grace'],
    lines: [
      ['grace', 'Next book: "The Left Hand of Darkness"?'],
      ['dave', 'Already read it twice, happy to again.'],
      ['frank', 'Sounds good. My place on the 20th.'],
      ['carol', "I'll bring dessert."],
    ],
  },
  {
    id: 'g_family',
    title: 'Family',
    people: ['alice', 'heidi', 'ivan'],
    lines: [
      ['heidi', "Grandma's surgery is on Tuesday."],
      ['ivan', 'I will drive her to the hospital.'],
      ['alice', 'Thank you both. Call me after.'],
    ],
  },
];

/** Where the built-in partners run; their registered redirect URIs follow it. */
export interface SeedOptions {
  tunewaveUrl?: string;
  reelboxUrl?: string;
}

/** Demo client secrets of the built-in partners: the configuration's defaults (server/src/config.ts), which their apps read too. */
export const PARTNER_SECRETS = DEMO_PARTNER_SECRETS;

/** Scopes the built-in partners may ask for: everything the 2018 integrations had. */
export const PARTNER_SCOPES = API_SCOPES.join(' ');

/** OAuth client metadata (RFC 7591 names) of a built-in partner. */
export function partnerClient(id: 'tunewave' | 'reelbox', baseUrl: string): Client {
  return {
    id,
    name: id === 'tunewave' ? 'Tunewave' : 'Reelbox',
    status: 'active',
    metadata: {
      client_id: id,
      client_secret: PARTNER_SECRETS[id],
      client_name: id === 'tunewave' ? 'Tunewave' : 'Reelbox',
      client_uri: baseUrl,
      redirect_uris: [`${baseUrl}/auth/callback`],
      post_logout_redirect_uris: [`${baseUrl}/`],
      [DELETION_URI_METADATA]: `${baseUrl}${DELETION_PATH}`,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: PARTNER_SCOPES,
    },
  };
}

/**
 * The deterministic demo world: same options → the same document, ids and timestamps.
 * Ten people, friendships that are not all mutual, seven 1:1 threads and three group threads.
 */
export function seedWorld(options: SeedOptions = {}): World {
  const id = (u: string) => `p_${u}`;
  const threads: Thread[] = [];
  const messages: Message[] = [];
  let clock = T0;
  let n = 0;
  for (const t of THREADS) {
    threads.push({
      id: t.id,
      kind: t.title ? 'group' : 'direct',
      ...(t.title ? { title: t.title } : {}),
      participantIds: t.people.map(id),
      createdAt: clock,
    });
    for (const [sender, text] of t.lines) {
      clock += 7 * MINUTE;
      n += 1;
      messages.push({
        id: `m_${String(n).padStart(4, '0')}`,
        threadId: t.id,
        senderId: id(sender),
        text,
        createdAt: clock,
      });
    }
  }
  return {
    format: WORLD_FORMAT,
    people: Object.entries(SEED_PEOPLE).map(([username, displayName]) => ({
      id: id(username),
      username,
      displayName,
      passwordHash: HASHES[username]!,
      ...(username === 'alice' ? { isAdmin: true } : {}),
    })),
    friendships: FRIENDS.map(([a, b], i) => ({
      id: pairKey(id(a), id(b)),
      personIds: [id(a), id(b)].sort() as [string, string],
      since: T0 - (i + 1) * 86_400_000,
    })),
    threads,
    messages,
    readMarks: [],
    clients: [
      partnerClient('tunewave', options.tunewaveUrl ?? 'http://localhost:3001'),
      partnerClient('reelbox', options.reelboxUrl ?? 'http://localhost:3002'),
    ],
    oidc: [],
    authorizations: [],
    accessLog: [],
    accessTotals: [],
    deletedMessages: [],
    settings: [{ id: 'settings', policy: 'broad' }],
  };
}
