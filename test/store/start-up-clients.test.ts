import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { seedWorld } from '../../seed/world.js';
import { refusedStart } from '../helpers/platform-process.js';

describe('client registrations in the data file, checked at start', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-clients-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('When a hand edit gives a client metadata the authorization server refuses, then `npm start` prints one "cannot start" line naming the client and why, and lets go of the lock', async () => {
    const world = seedWorld();
    world.clients = world.clients.map((c) =>
      c.id === 'reelbox' ? { ...c, metadata: { ...c.metadata, token_endpoint_auth_method: 'magic' } } : c,
    );
    await writeFile(dataFile, JSON.stringify(world));
    const { code, output } = await refusedStart(dataFile);
    expect(code).toBe(1);
    const lines = output
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('oidc-provider WARNING'));
    expect(lines).toEqual([
      expect.stringMatching(
        /^Glasshouse cannot start: .*glasshouse\.json: clients reelbox: token_endpoint_auth_method must be /,
      ),
    ]);
    expect(await readdir(dir)).toEqual(['glasshouse.json']);
  }, 30_000);
});
