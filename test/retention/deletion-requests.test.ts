import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tokenFor } from '../helpers/api.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { csrfFrom, loggedInAgent } from '../helpers/web-session.js';

/**
 * Deletion requests whose partner cannot answer (README, "Retained copies and deletion requests"):
 * the outcome is "failed", recorded on the authorization and told to the person — never a 500.
 */
describe('a data-deletion request nobody answers', () => {
  let gh: RunningPlatform;
  beforeAll(async () => {
    // Nothing listens on port 9: Tunewave's registered data_deletion_uri is unreachable.
    gh = await startPlatform({}, { tunewaveUrl: 'http://127.0.0.1:9' });
    await tokenFor(gh, 'alice');
  });
  afterAll(async () => {
    await gh?.close();
  });

  it('When alice asks Tunewave to delete and it does not answer, then the request is recorded as failed and the page says so', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/settings/apps').expect(200);
    await alice
      .post('/settings/apps/tunewave/deletion-request')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(gh.store.get('authorizations', 'p_alice~tunewave')?.deletionRequests).toEqual([
      { at: expect.any(Number), outcome: 'failed', detail: 'the app did not answer' },
    ]);
    const after = await alice.get('/settings/apps').expect(200);
    expect(after.text).toContain('the request failed: the app did not answer.');
  });

  it('When alice asks an app she never connected, then 404', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    const page = await alice.get('/settings/apps').expect(200);
    await alice
      .post('/settings/apps/reelbox/deletion-request')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(404);
  });
});
