import { describe, expect, it } from '@jest/globals';
import { openMemoryStore } from '../../server/src/store/open-data-file.js';
import { syncPartnerClients } from '../../server/src/store/sync-partner-clients.js';
import { PARTNER_SECRETS } from '../../seed/world.js';

const at = (tunewave: string, reelbox: string, secret: string = PARTNER_SECRETS.tunewave) => ({
  tunewave: { baseUrl: tunewave, clientSecret: secret },
  reelbox: { baseUrl: reelbox, clientSecret: PARTNER_SECRETS.reelbox },
});

describe('built-in partner registrations at start', () => {
  it('When the data file registered other partner URLs, then the redirect URIs follow the new ports and the status is kept', async () => {
    const store = await openMemoryStore({ tunewaveUrl: 'http://localhost:3001', reelboxUrl: 'http://localhost:3002' });
    const tunewave = store.client('tunewave')!;
    await store.put('clients', { ...tunewave, status: 'shut_down' });

    const changed = await syncPartnerClients(store, at('http://localhost:4001', 'http://localhost:3002'));

    expect(changed).toEqual(['tunewave']);
    const after = store.client('tunewave')!;
    expect(after.metadata['redirect_uris']).toEqual(['http://localhost:4001/auth/callback']);
    expect(after.metadata['client_uri']).toBe('http://localhost:4001');
    expect(after.status).toBe('shut_down');
    expect(store.client('reelbox')!.metadata['redirect_uris']).toEqual(['http://localhost:3002/auth/callback']);
    await store.close();
  });

  it('When nothing differs, then nothing is written', async () => {
    const store = await openMemoryStore({ tunewaveUrl: 'http://localhost:3001', reelboxUrl: 'http://localhost:3002' });
    expect(await syncPartnerClients(store, at('http://localhost:3001', 'http://localhost:3002'))).toEqual([]);
    await store.close();
  });

  it('When a partner secret is configured, then the registration takes it; a missing registration is recreated', async () => {
    const store = await openMemoryStore();
    await store.delete('clients', 'reelbox');
    const changed = await syncPartnerClients(
      store,
      at('http://localhost:3001', 'http://localhost:3002', 'a-new-tunewave-secret-42'),
    );
    expect(changed.sort()).toEqual(['reelbox', 'tunewave']);
    expect(store.client('tunewave')!.metadata['client_secret']).toBe('a-new-tunewave-secret-42');
    expect(store.client('reelbox')!.status).toBe('active');
    await store.close();
  });
});
