import { createAccessRecorder, type AccessRecorder } from '../../server/src/audit/access-recorder.js';
import { EventBus } from '../../server/src/events.js';
import { createMessagingService, type MessagingService } from '../../server/src/messaging/messaging-service.js';
import { createSocialService, type SocialService } from '../../server/src/social/social-service.js';
import { openMemoryStore } from '../../server/src/store/open-data-file.js';
import type { PolicyMode } from '../../server/src/store/schema.js';
import type { Store } from '../../server/src/store/store.js';

/** The seeded world and the messaging services over it, without HTTP (service-level tests). */
export interface MessagingWorld {
  store: Store;
  events: EventBus;
  social: SocialService;
  service: MessagingService;
  audit: AccessRecorder;
  setPolicy(mode: PolicyMode): Promise<void>;
  /** Records that `personId` consented to `clientId` (what the consent screen stores). */
  authorize(personId: string, clientId: string): Promise<void>;
}

export async function openMessagingWorld(): Promise<MessagingWorld> {
  const store = await openMemoryStore();
  const events = new EventBus();
  let clock = Date.UTC(2026, 1, 1);
  const now = () => (clock += 1000);
  const social = createSocialService({ store, events, now });
  return {
    store,
    events,
    social,
    service: createMessagingService({ store, social }),
    audit: createAccessRecorder({ store, events, now }),
    setPolicy: (mode) => store.put('settings', { ...store.settings(), policy: mode }),
    authorize: (personId, clientId) =>
      store.put('authorizations', {
        id: `${personId}~${clientId}`,
        personId,
        clientId,
        scopes: ['profile'],
        firstGrantedAt: now(),
        grantedAt: now(),
      }),
  };
}
