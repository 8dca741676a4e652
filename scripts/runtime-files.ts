/**
 * The files the code reads at run time next to its own module (`import.meta.url`), which `tsc` does
 * not emit: `npm run build` copies each of these folders to the same place under `dist/` (README,
 * "Development and tests"). `test/architecture/build.test.ts` fails when a module reads a folder
 * that is not listed here.
 */

/** Where the build writes (tsconfig.build.json's `outDir`), relative to the repository root. */
export const OUT_DIR = 'dist';

/** Folders (repository-relative, `/`-separated) copied as they are; they hold no TypeScript. */
export const RUNTIME_FILES: readonly string[] = [
  'server/src/web/views',
  'server/src/web/assets',
  'partners/app/views',
  'partners/app/assets',
  'seed/scenarios',
];
