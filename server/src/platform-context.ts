import type { Logger } from 'pino';
import type { Clock } from './clock/clock.js';
import type { Config } from './config.js';
import type { EventBus } from './events.js';
import type { TokenService } from './oauth/token-service.js';
import type { SocialService } from './social/social-service.js';
import type { Store } from './store/store.js';

/** What every feature module is built from; assembled once in `createPlatform`. */
export interface PlatformContext {
  config: Config;
  store: Store;
  events: EventBus;
  logger: Logger;
  /** ms since epoch (injectable clock). */
  now: () => number;
  /** The clock `now` reads. */
  clock: Clock;
  social: SocialService;
  /** Access tokens of the authorization server: verify (resource server), issue (admin, sandboxes), revoke. */
  tokens: TokenService;
}
