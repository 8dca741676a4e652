import { afterEach, describe, expect, it } from '@jest/globals';
import { createSandbox, type Sandbox } from '../../server/testkit/index.js';
import { parseScenario } from '../../server/testkit/scenario/parse.js';
import { runScenario } from '../../server/testkit/scenario/run.js';
import { SHIPPED, shipped } from './helpers/scenarios.js';

describe('runScenario', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('When the shipped scenarios are listed, then the five stories are there', () => {
    expect(SHIPPED).toEqual([
      'broad-access-2018.yaml',
      'demo-music.yaml',
      'demo-video.yaml',
      'least-privilege.yaml',
      'time-and-faults.yaml',
    ]);
  });

  it.each(SHIPPED)('When %s runs in a fresh sandbox, then every step passes', async (file) => {
    sandbox = await createSandbox();
    const report = await runScenario(shipped(file), sandbox);
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps.length).toBeGreaterThanOrEqual(5);
  });

  it('When an expectation does not hold, then its step fails with the reason and the line, and later steps still run', async () => {
    sandbox = await createSandbox();
    const edited = shipped('broad-access-2018.yaml', (t) =>
      t.replace('expect: { count: 4, includes: [alice, bob, carol, erin] }', 'expect: { count: 3, includes: [frank] }'),
    );
    const report = await runScenario(edited, sandbox);
    expect(report.ok).toBe(false);
    const failed = report.steps.filter((s) => !s.ok);
    expect(failed).toEqual([expect.objectContaining({ kind: 'participants', status: 200, line: 40 })]);
    expect(failed[0]?.error).toMatch(/missing frank.*expected 3 items, got 4/);
    expect(report.steps.at(-1)).toMatchObject({ kind: 'expect', ok: true });
  });

  it('When a refusal is expected but the call succeeds, or the reverse, then the step fails naming both statuses', async () => {
    sandbox = await createSandbox();
    const text = [
      'name: statuses',
      'steps:',
      '  - authorize: { person: alice, client: tunewave, scopes: [messages:read] }',
      '  - read: { as: alice, client: tunewave, thread: g_weekend, expect: { status: 404 } }',
      '  - participants: { as: alice, client: tunewave, thread: g_weekend }',
      '  - friends: { as: alice, client: tunewave, expect: { status: 403 } }',
    ].join('\n');
    const report = await runScenario(parseScenario(text, 'statuses.yaml'), sandbox);
    expect(report.steps.map((s) => [s.line, s.ok, s.status])).toEqual([
      [3, true, 200],
      [4, false, 200],
      [5, false, 403],
      [6, true, 403],
    ]);
    expect(report.steps[1]?.error).toBe('expected status 404, got 200');
    expect(report.steps[2]?.error).toMatch(/^expected success, got 403 insufficient_scope/);
  });

  it('When a step names an unknown person, a client never authorized or a thread that is not there, then that step fails and says why', async () => {
    sandbox = await createSandbox();
    const text = [
      'name: mistakes',
      'steps:',
      '  - read: { as: alice, client: tunewave }',
      '  - authorize: { person: mallory, client: tunewave, scopes: [profile] }',
      '  - play: { as: alice, client: reelbox, to: nobody, title: Metropolis }',
      '  - authorize: { person: alice, client: tunewave, scopes: [messages:delete] }',
      '  - delete: { as: alice, client: tunewave, thread: no_such_thread, text: hello, expect: { status: 404 } }',
    ].join('\n');
    const report = await runScenario(parseScenario(text, 'mistakes.yaml'), sandbox);
    expect(report.steps.map((s) => s.ok)).toEqual([false, false, false, true, false]);
    expect(report.steps[4]?.error).toMatch(/^cannot look up messages of no_such_thread: 404/);
    expect(report.steps[0]?.error).toMatch(/alice has not authorized tunewave/);
    expect(report.steps[1]?.error).toMatch(/unknown person "mallory"/);
  });

  it('When a grant is revoked and the client shut down mid-scenario, then its calls are refused with 401', async () => {
    sandbox = await createSandbox();
    const text = [
      'name: revocation',
      'steps:',
      '  - authorize: { person: bob, client: reelbox, scopes: [profile, messages:write] }',
      '  - authorize: { person: carol, client: reelbox, scopes: [friends:read] }',
      '  - revoke: { person: bob, client: reelbox }',
      '  - send: { as: bob, client: reelbox, to: alice, text: still here?, expect: { status: 401 } }',
      '  - shutdown: { client: reelbox }',
      '  - friends: { as: carol, client: reelbox, expect: { status: 401 } }',
      '  - authorize: { person: dave, client: reelbox, scopes: [profile], expect: { status: 403 } }',
    ].join('\n');
    const report = await runScenario(parseScenario(text, 'revocation.yaml'), sandbox);
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect((await sandbox.admin.clients()).find((c) => c.id === 'reelbox')?.status).toBe('shut_down');
  });

  it('When a scenario runs against a URL twice without reset, then the second run counts only its own accesses', async () => {
    sandbox = await createSandbox();
    const target = { url: `${sandbox.platformUrl}/`, adminToken: sandbox.adminToken };
    expect((await runScenario(shipped('demo-music.yaml'), target)).ok).toBe(true);
    const again = await runScenario(shipped('demo-music.yaml'), target, { reset: false });
    expect(again.steps.filter((s) => !s.ok)).toEqual([]);
    const cards = (await sandbox.admin.threadMessages('t_alice_bob')).filter((m) => m.nowPlaying);
    expect(cards).toHaveLength(2);
    expect((await runScenario(shipped('demo-music.yaml'), target)).ok).toBe(true);
    expect((await sandbox.admin.threadMessages('t_alice_bob')).filter((m) => m.nowPlaying)).toHaveLength(1);
  });

  it('When the admin token is wrong, then the run is refused before any step', async () => {
    sandbox = await createSandbox();
    await expect(
      runScenario(shipped('demo-music.yaml'), { url: sandbox.platformUrl, adminToken: 'wrong-admin-token-123' }),
    ).rejects.toMatchObject({ status: 401 });
    expect(await sandbox.admin.accessLog()).toEqual([]);
  });
});
