import { createPartnerApp, type PartnerApp, type PartnerAppOptions } from '../app/create-partner-app.js';
import type { PartnerConfig } from '../app/config.js';
import type { BuiltInPartnerOptions } from '../app/partner-options.js';
import { TUNEWAVE_CATALOGUE } from './catalogue.js';

/** Tunewave, the music streamer: light, teal and coral. OAuth client `tunewave`. */
export function tunewaveConfig(options: BuiltInPartnerOptions): PartnerConfig {
  return {
    name: 'Tunewave',
    tagline: 'Music for every moment — and your friends hear about it.',
    logo: '♫',
    theme: 'light',
    colours: {
      primary: '#0f8b8d',
      primaryHover: '#0b6e70',
      accent: '#ec5f4b',
      backgroundTop: '#e8f7f6',
      backgroundBottom: '#fff7f2',
    },
    kind: 'track',
    verb: 'listening to',
    catalogue: TUNEWAVE_CATALOGUE,
    publicUrl: options.publicUrl,
    platformUrl: options.platformUrl,
    clientId: 'tunewave',
    clientSecret: options.clientSecret,
    sessionSecret: options.sessionSecret,
    cookieName: 'tunewave.sid',
    dpop: options.dpop,
  };
}

/** The Tunewave app (not listening). */
export function createTunewave(options: BuiltInPartnerOptions, appOptions?: PartnerAppOptions): PartnerApp {
  return createPartnerApp(tunewaveConfig(options), appOptions);
}
