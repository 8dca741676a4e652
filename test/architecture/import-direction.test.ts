import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

/**
 * The direction of imports (README, "Layers and the direction of imports"): the partner SDK is a
 * leaf, partner apps use the SDK and never the platform. Cycles are madge's job in `npm test`.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every .ts file under `dir` (relative to the repository root), sorted. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f))
    .sort();
}

/** Repository-relative targets of a file's relative imports (static, re-exports, dynamic `import()`). */
function importsOf(file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.join(path.dirname(file), spec));
}

/** Rules: (importing folder, forbidden folders). */
const RULES: [string, string[]][] = [
  ['partners/', ['server/', 'seed/']],
  ['partners/sdk/', ['partners/app/', 'partners/tunewave/', 'partners/reelbox/']],
  // The platform may use the wire contract (partners/sdk) but never the testkit or a partner app.
  ['server/src/', ['server/testkit/', 'partners/app/', 'partners/tunewave/', 'partners/reelbox/']],
  ['seed/', ['server/testkit/', 'partners/']],
];

/** "file → target" for each import breaking a rule. */
function violations(files: { file: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { file, text } of files) {
    for (const target of importsOf(file, text)) {
      for (const [from, forbidden] of RULES) {
        if (file.startsWith(from) && forbidden.some((f) => target.startsWith(f))) found.push(`${file} → ${target}`);
      }
    }
  }
  return found;
}

/** Imports of another folder's `*-routes` module: route modules are leaves that only the composition root mounts. */
function routeImports(files: { file: string; text: string }[]): string[] {
  return files.flatMap(({ file, text }) =>
    file === 'server/src/platform.ts'
      ? []
      : importsOf(file, text)
          .filter((target) => /-routes\.js$/.test(target) && path.dirname(target) !== path.dirname(file))
          .map((target) => `${file} → ${target}`),
  );
}

describe('direction of imports', () => {
  it('When any file under partners/ is read, then none imports from server/ or seed/, and the SDK imports no partner app; nor the platform or seed the testkit', () => {
    const files = [...sourcesUnder('partners'), ...sourcesUnder('server/src'), ...sourcesUnder('seed')].map((file) => ({
      file,
      text: readFileSync(path.join(ROOT, file), 'utf8'),
    }));
    expect(files.length).toBeGreaterThan(20);
    expect(violations(files)).toEqual([]);
  });

  it.each([
    ['partners/sdk/x.ts', "import { a } from '../../server/src/platform.js';", 'server/src/platform.js'],
    ['partners/app/x.ts', "export { b } from '../../seed/world.js';", 'seed/world.js'],
    ['partners/sdk/x.ts', "const m = await import('../app/config.js');", 'partners/app/config.js'],
    ['partners/sdk/deep/x.ts', "import type { T } from '../../tunewave/tunewave.js';", 'partners/tunewave/tunewave.js'],
    [
      'server/src/monitor/x.ts',
      "const { run } = await import('../../testkit/scenario/run.js');",
      'server/testkit/scenario/run.js',
    ],
  ])('When %s has %s, then the check names it', (file, text, target) => {
    expect(violations([{ file, text }])).toEqual([`${file} → ${target}`]);
  });

  it('When a partner app imports the SDK, or the testkit imports both, then the check accepts it', () => {
    expect(
      violations([
        { file: 'partners/app/x.ts', text: "import { discover } from '../sdk/index.js';" },
        {
          file: 'server/testkit/x.ts',
          text: "import { a } from '../../partners/sdk/client.js';\nimport { b } from '../src/platform.js';",
        },
      ]),
    ).toEqual([]);
  });

  it("When the platform is read, then no feature imports another folder's route module (shared pieces live in their feature)", () => {
    const files = sourcesUnder('server/src').map((file) => ({
      file,
      text: readFileSync(path.join(ROOT, file), 'utf8'),
    }));
    expect(routeImports(files)).toEqual([]);
    expect(
      routeImports([{ file: 'server/src/realtime/x.ts', text: "import { v } from '../web/inbox-routes.js';" }]),
    ).toEqual(['server/src/realtime/x.ts → server/src/web/inbox-routes.js']);
  });
});
