import { describe, expect, it } from '@jest/globals';
import { compareScenarioFile } from '../../server/testkit/index.js';
import { startPlatform, usePlatform } from '../helpers/platform.js';
import { loggedInAgent } from '../helpers/web-session.js';

describe('compare policies', () => {
  const gh = usePlatform({}, {}, { compare: compareScenarioFile });

  it('When the 2018 story is compared, then least-privilege shows fewer bystanders and the refused steps, and the running world is untouched', async () => {
    const before = gh.store.accessLog().length;
    const alice = await loggedInAgent(gh.url, 'alice');
    const list = await alice.get('/monitor/compare').expect(200);
    expect(list.text).toContain('<option value="broad-access-2018"');
    const page = await alice.get('/monitor/compare?scenario=broad-access-2018').expect(200);
    const table = /<table class="compare" data-client-id="tunewave">[\s\S]*?<\/table>/.exec(page.text)![0];
    const cells = (metric: string) => {
      const row = new RegExp(`data-metric="${metric}">[\\s\\S]*?</tr>`).exec(table)![0];
      return [...row.matchAll(/<td>(?:<strong>)?(\d+)/g)].map((m) => Number(m[1]));
    };
    const [broadBystanders, strictBystanders] = cells('bystanders');
    expect(broadBystanders).toBeGreaterThan(strictBystanders!);
    const [broadRead, strictRead] = cells('messagesRead');
    expect(broadRead).toBeGreaterThan(strictRead!);
    expect(page.text).toMatch(/<td class="differs">404<\/td>/);
    expect(gh.store.accessLog().length).toBe(before);
  });

  it('When an unknown or malformed scenario is asked for, then it is 404', async () => {
    const alice = await loggedInAgent(gh.url, 'alice');
    await alice.get('/monitor/compare?scenario=nope').expect(404);
    await alice.get('/monitor/compare?scenario=..%2F..%2Fpackage').expect(404);
  });

  it('When the platform was built without a comparer, then the scenarios are listed and running one is 404', async () => {
    const bare = await startPlatform();
    try {
      const alice = await loggedInAgent(bare.url, 'alice');
      expect((await alice.get('/monitor/compare').expect(200)).text).toContain('<option value="broad-access-2018"');
      await alice.get('/monitor/compare?scenario=broad-access-2018').expect(404);
    } finally {
      await bare.close();
    }
  });
});
