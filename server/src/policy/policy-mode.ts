import type { EventBus } from '../events.js';
import type { PolicyMode } from '../store/schema.js';
import type { Store } from '../store/store.js';

/**
 * Switches the partner access policy at run time (`broad` as reported in 2018, or
 * `least-privilege`); durable, and announced as 'policy.changed'. No-op when unchanged.
 */
export async function setPolicyMode(store: Store, events: EventBus, mode: PolicyMode): Promise<void> {
  const settings = store.settings();
  if (settings.policy === mode) return;
  await store.put('settings', { ...settings, policy: mode });
  events.emit('policy.changed', { mode });
}
