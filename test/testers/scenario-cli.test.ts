import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSandbox, type Sandbox } from '../../server/testkit/index.js';
import type { ScenarioReport } from '../../server/testkit/scenario/run.js';
import { runCli, scenarioText, type CliRun } from './helpers/scenarios.js';

/**
 * `npm run scenario` as a process. The four runs start together in beforeAll; only the first
 * builds its own sandbox (loading the platform is most of a run's time), the --url runs use
 * sandboxes of this process, one each since every run resets its world.
 */
describe('the scenario CLI', () => {
  let dir = '';
  let listening: Sandbox;
  let another: Sandbox;
  const runs: Record<'json' | 'url' | 'failing' | 'broken', CliRun | undefined> = {
    json: undefined,
    url: undefined,
    failing: undefined,
    broken: undefined,
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-scenario-'));
    const failing = path.join(dir, 'failing.yaml');
    await writeFile(failing, scenarioText('demo-music.yaml').replace('count: 2', 'count: 3'));
    const broken = path.join(dir, 'broken.yaml');
    await writeFile(
      broken,
      'name: broken\nsteps:\n  - play:\n      as: alice\n      client: tunewave\n      to: bob\n      titel: Canon in D\n',
    );
    listening = await createSandbox();
    another = await createSandbox();
    const [json, url, failed, bad] = await Promise.all([
      runCli(['seed/scenarios/demo-video.yaml', '--json']),
      runCli([
        'seed/scenarios/least-privilege.yaml',
        '--url',
        listening.platformUrl,
        '--admin-token',
        listening.adminToken,
      ]),
      runCli([failing, '--url', another.platformUrl, '--admin-token', another.adminToken]),
      runCli([broken, '--json']),
    ]);
    Object.assign(runs, { json, url, failing: failed, broken: bad });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([listening.close(), another.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('When a shipped scenario runs with --json in its own sandbox, then it prints a passing report and exits 0', () => {
    const { code, stdout } = runs.json!;
    const report = JSON.parse(stdout) as ScenarioReport;
    expect(report).toMatchObject({ name: 'Reelbox shares what bob is watching', ok: true });
    expect(report.steps[0]).toEqual({
      line: 7,
      kind: 'authorize',
      summary: expect.stringContaining('bob authorized reelbox'),
      ok: true,
      status: 200,
    });
    expect(code).toBe(0);
  });

  it('When a scenario runs with --url against a listening platform, then it reports each step and the platform shows its effects', async () => {
    const { code, stdout } = runs.url!;
    expect(stdout).toContain('Scenario: The same story under least privilege (seed/scenarios/least-privilege.yaml)');
    expect(stdout).toMatch(/✓ line 36 +read +404 +tunewave, as alice, reads g_weekend: refused as expected/);
    expect(stdout).toMatch(/PASS: \d+ of \d+ steps\n$/);
    expect(code).toBe(0);
    expect(listening.store.settings().policy).toBe('least-privilege');
    // Bob's reply stays (least-privilege refused its deletion); Tunewave's own card is gone.
    const texts = (await listening.admin.threadMessages('t_alice_bob')).map((m) => m.text);
    expect(texts.at(-1)).toBe('Nice pick, Alice!');
    expect(texts.join('\n')).not.toContain('Clair de lune');
  });

  it('When a step of the scenario fails, then it is marked ✗ with the reason and the CLI exits 1', () => {
    const { code, stdout } = runs.failing!;
    expect(stdout).toMatch(/✗ line 17 +play +201 .*\n +→ expected 3 items, got 2/);
    expect(stdout).toMatch(/FAIL: 1 of \d+ steps failed \(line 17\)/);
    expect(code).toBe(1);
  });

  it('When the scenario file is broken, then the CLI prints file:line: field: problem and exits 2', () => {
    const { code, stdout, stderr } = runs.broken!;
    expect(stderr).toContain(`${path.join(dir, 'broken.yaml')}:7: steps.0.play.titel: unknown field "titel"`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('When the scenario file does not exist, then the CLI says "No such file" in one line and exits 2', async () => {
    const { code, stdout, stderr } = await runCli(['nope.yaml']);
    expect(stderr).toBe('No such file: nope.yaml\n');
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});
