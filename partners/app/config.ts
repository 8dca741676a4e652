/**
 * What a partner app is built from. Tunewave and Reelbox are two values of this type: the factory
 * (`createPartnerApp`) holds all behaviour, so both partners behave the same and differ in looks and
 * catalogue only.
 */

import { API_SCOPES } from '../sdk/index.js';

/** The scopes both partners ask for: every scope of the API, as the 2018 integrations had (README, "What this is"). */
export const PARTNER_SCOPES = API_SCOPES;

/** How the landing page words each scope it will ask for (typed by the scope list: none can be missing). */
export const SCOPE_ASKS: Record<(typeof API_SCOPES)[number], string> = {
  profile: 'your name and username',
  'friends:read': 'your friends list',
  'messages:read': 'to read all your conversations',
  'messages:write': 'to send messages as you',
  'messages:delete': 'to delete messages',
  'threads:participants': 'to see everyone on your threads',
};

/** One playable work of the catalogue. */
export interface CatalogueItem {
  /** Stable id, unique within the catalogue (used in URLs and forms). */
  id: string;
  title: string;
  /** Performer/composer (tracks) or director (films); sent as `nowPlaying.artist`. */
  artist: string;
  /** Length in seconds. */
  durationSec: number;
  year?: number;
  /** One line about the work (shown under the title). */
  note?: string;
}

/** Colours of the partner's pages (any CSS colour). */
export interface BrandColours {
  /** Buttons, links, progress bar. */
  primary: string;
  /** Hover/focus shade of `primary`. */
  primaryHover: string;
  /** Highlights: the playing item, the live feed. */
  accent: string;
  /** Page background gradient, top and bottom. */
  backgroundTop: string;
  backgroundBottom: string;
}

export interface PartnerConfig {
  /** Shown everywhere, e.g. "Tunewave". */
  name: string;
  /** Under the name on the landing page. */
  tagline: string;
  /** A short symbol in the header, e.g. "♫". */
  logo: string;
  /** Pico colour scheme of the pages. */
  theme: 'light' | 'dark';
  colours: BrandColours;
  /** What a "now playing" card is about. */
  kind: 'track' | 'film';
  /** "listening to" / "watching", as in "Alice is listening to …". */
  verb: string;
  catalogue: CatalogueItem[];
  /** Where browsers reach this app, e.g. http://localhost:3001 (no trailing slash). The OAuth
   *  redirect URI is `${publicUrl}/auth/callback` and must be registered on the platform. */
  publicUrl: string;
  /** Where the platform is, for browsers and for this server alike, e.g. http://localhost:3000. */
  platformUrl: string;
  /** OAuth client registered on the platform. */
  clientId: string;
  clientSecret: string;
  /** Signs the session and CSRF cookies (≥ 16 characters). */
  sessionSecret: string;
  /** Bind this partner's tokens to a DPoP key (RFC 9449): the code exchange, refreshes, API calls and
   *  the `/partners` socket carry proofs; a stolen token is useless without the key. Default false. */
  dpop?: boolean | undefined;
  /** Session cookie name, distinct per app (cookies are shared across ports on localhost), e.g.
   *  `tunewave.sid`. The CSRF cookie is named after it (`tunewave.csrf`). */
  cookieName: string;
}

/** The CSRF cookie that goes with a session cookie name (`x.sid` → `x.csrf`). */
export function csrfCookieName(cookieName: string): string {
  return `${cookieName.replace(/\.sid$/, '')}.csrf`;
}
