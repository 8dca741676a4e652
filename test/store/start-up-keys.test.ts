import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import { journalPathFor, StoreLoadError } from '../../server/src/store/persistence.js';
import { seedWorld } from '../../seed/world.js';
import { outputLines, refusedStart } from '../helpers/platform-process.js';

describe('starting on a data file whose authorization server keys or clients are not what the platform makes', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'glasshouse-keys-'));
    dataFile = path.join(dir, 'glasshouse.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A private JWK as oauth/keys.ts makes it. */
  const privateJwk = (namedCurve = 'P-256') => ({
    ...generateKeyPairSync('ec', { namedCurve }).privateKey.export({ format: 'jwk' }),
    kid: randomUUID(),
    alg: 'ES256',
    use: 'sig',
  });
  const cookieKey = 'k'.repeat(43);
  const withSettings = (settings: object) =>
    JSON.stringify({ ...seedWorld(), settings: [{ id: 'settings', policy: 'broad', ...settings }] });

  it.each<[string, () => object, RegExp]>([
    [
      'a signing key with only kty and x',
      () => ({ jwks: { keys: [{ kty: 'EC', x: 'a' }] }, cookieKeys: [cookieKey] }),
      /\(settings\.0\.jwks\.keys\.0\.crv: Required \(one of "P-256"\); settings\.0\.jwks\.keys\.0\.y: /,
    ],
    [
      'a P-384 signing key',
      () => ({ jwks: { keys: [privateJwk('P-384')] }, cookieKeys: [cookieKey] }),
      /\(settings\.0\.jwks\.keys\.0\.crv: Invalid input: expected "P-256"\)$/,
    ],
    [
      'a public key only (no d)',
      () => {
        const { d: _d, ...publicJwk } = privateJwk();
        return { jwks: { keys: [publicJwk] }, cookieKeys: [cookieKey] };
      },
      /\(settings\.0\.jwks\.keys\.0\.d: Required \(string\)\)$/,
    ],
    [
      'a signing key whose x is not a point of the curve',
      () => ({ jwks: { keys: [{ ...privateJwk(), x: 'a' }] }, cookieKeys: [cookieKey] }),
      /\(settings\.0\.jwks\.keys\.0: not a private key node:crypto can import \(.+\)\)$/,
    ],
    [
      "a signing key whose d is another key's",
      () => ({ jwks: { keys: [{ ...privateJwk(), d: privateJwk().d }] }, cookieKeys: [cookieKey] }),
      /\(settings\.0\.jwks\.keys\.0: its d is not the private key of its x and y\)$/,
    ],
    [
      'a signing key for another algorithm',
      () => ({ jwks: { keys: [{ ...privateJwk(), alg: 'RS256' }] }, cookieKeys: [cookieKey] }),
      /\(settings\.0\.jwks\.keys\.0\.alg: Invalid input: expected "ES256"\)$/,
    ],
    [
      'two signing keys with the same kid',
      () => ({
        jwks: {
          keys: [
            { ...privateJwk(), kid: 'k1' },
            { ...privateJwk(), kid: 'k1' },
          ],
        },
        cookieKeys: [cookieKey],
      }),
      /\(settings\.0\.jwks\.keys: two keys have the kid "k1"\)$/,
    ],
    [
      'an empty cookie key',
      () => ({ jwks: { keys: [privateJwk()] }, cookieKeys: [''] }),
      /\(settings\.0\.cookieKeys\.0: must be at least 32 characters \(a random secret\)\)$/,
    ],
    [
      'a short cookie key',
      () => ({ jwks: { keys: [privateJwk()] }, cookieKeys: [cookieKey, 'secret'] }),
      /\(settings\.0\.cookieKeys\.1: must be at least 32 characters \(a random secret\)\)$/,
    ],
  ])(
    'When the settings hold %s, then the start is refused in one line naming the file and the field, and the file is untouched',
    async (_what, settings, problem) => {
      const text = withSettings(settings());
      await writeFile(dataFile, text);
      const error = await openFileStore(dataFile).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLoadError);
      expect((error as Error).message.split('\n')).toHaveLength(1);
      expect((error as Error).message).toMatch(`${dataFile}: not a Glasshouse data file (`);
      expect((error as Error).message).toMatch(problem);
      expect(await readFile(dataFile, 'utf8')).toBe(text);
    },
  );

  it('When a journal line puts an empty cookie key, then the start is refused naming the journal line and the field', async () => {
    await openFileStore(dataFile).then((s) => s.close());
    const line = { op: 'put', c: 'settings', v: { id: 'settings', policy: 'broad', cookieKeys: [''] } };
    await writeFile(journalPathFor(dataFile), `${JSON.stringify(line)}\n`);
    const error = await openFileStore(dataFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLoadError);
    expect((error as Error).message).toBe(
      `${journalPathFor(dataFile)}:1: invalid journal line (settings settings: cookieKeys.0: must be at least 32 characters (a random secret))`,
    );
  });

  it('When the settings hold keys the platform made, then the data file loads', async () => {
    await writeFile(dataFile, withSettings({ jwks: { keys: [privateJwk(), privateJwk()] }, cookieKeys: [cookieKey] }));
    const store = await openFileStore(dataFile);
    expect(store.settings().jwks?.keys).toHaveLength(2);
    await store.close();
  });

  it('When a signing key is broken, then `npm start` prints one "cannot start" line naming the field, and lets go of the lock', async () => {
    await writeFile(dataFile, withSettings({ jwks: { keys: [{ kty: 'EC', x: 'a' }] }, cookieKeys: [cookieKey] }));
    const { code, output } = await refusedStart(dataFile);
    expect(code).toBe(1);
    const lines = outputLines(output);
    expect(lines).toEqual([
      expect.stringMatching(
        /^Glasshouse cannot start: .*glasshouse\.json: not a Glasshouse data file \(settings\.0\.jwks\.keys\.0\.crv: /,
      ),
    ]);
    expect(await readdir(dir)).toEqual(['glasshouse.json']);
  }, 30_000);

  it('When a hand edit gives a client metadata the authorization server refuses, then `npm start` prints one "cannot start" line naming the client and why, and lets go of the lock', async () => {
    const world = seedWorld();
    world.clients = world.clients.map((c) =>
      c.id === 'reelbox' ? { ...c, metadata: { ...c.metadata, token_endpoint_auth_method: 'magic' } } : c,
    );
    await writeFile(dataFile, JSON.stringify(world));
    const { code, output } = await refusedStart(dataFile);
    expect(code).toBe(1);
    const lines = outputLines(output);
    expect(lines).toEqual([
      expect.stringMatching(
        /^Glasshouse cannot start: .*glasshouse\.json: clients reelbox: token_endpoint_auth_method must be /,
      ),
    ]);
    expect(await readdir(dir)).toEqual(['glasshouse.json']);
  }, 30_000);
});
