import { createPartnerApp, type PartnerApp, type PartnerAppOptions } from '../app/create-partner-app.js';
import type { PartnerConfig } from '../app/config.js';
import type { BuiltInPartnerOptions } from '../app/partner-options.js';
import { REELBOX_CATALOGUE } from './catalogue.js';

/** Reelbox, the video streamer: dark, cinema red and gold. OAuth client `reelbox`. */
export function reelboxConfig(options: BuiltInPartnerOptions): PartnerConfig {
  return {
    name: 'Reelbox',
    tagline: 'Silent-film nights, shared with your friends.',
    logo: '▶',
    theme: 'dark',
    colours: {
      primary: '#d7263d',
      primaryHover: '#b01e31',
      accent: '#f4b942',
      backgroundTop: '#14121c',
      backgroundBottom: '#241a22',
    },
    kind: 'film',
    verb: 'watching',
    catalogue: REELBOX_CATALOGUE,
    publicUrl: options.publicUrl,
    platformUrl: options.platformUrl,
    clientId: 'reelbox',
    clientSecret: options.clientSecret,
    sessionSecret: options.sessionSecret,
    cookieName: 'reelbox.sid',
    dpop: options.dpop,
  };
}

/** The Reelbox app (not listening). */
export function createReelbox(options: BuiltInPartnerOptions, appOptions?: PartnerAppOptions): PartnerApp {
  return createPartnerApp(reelboxConfig(options), appOptions);
}
