import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { logInWithGlasshouse, startDemo, type RunningDemo } from './helpers/demo.js';
import { csrfOf } from './helpers/partner.js';

describe('partner apps refuse forms posted from another origin', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it("When a page on another localhost port posts Tunewave's share form with alice's cookie and token, then it is refused with 403; from Tunewave's own origin it works", async () => {
    const { agent } = await logInWithGlasshouse(demo.gh, demo.tunewave, 'alice');
    const csrf = csrfOf((await agent.get('/').expect(200)).text);
    await agent
      .post('/share')
      .set('Origin', 'http://127.0.0.1:1')
      .type('form')
      .send({ _csrf: csrf, friend: 'p_bob' })
      .expect(403);
    await agent
      .post('/share')
      .set('Origin', demo.tunewave.url)
      .type('form')
      .send({ _csrf: csrf, friend: 'p_bob' })
      .expect(303);
  });
});
