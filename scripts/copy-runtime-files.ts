/**
 * Second step of `npm run build` (after `tsc -p tsconfig.build.json`), run from the repository
 * root as npm does: replaces each folder of RUNTIME_FILES under `dist/` with a fresh copy, and
 * removes each compiled `.js` whose `.ts` source is gone, so a file deleted from the sources does
 * not live on in the build (tsc's incremental build never deletes an output).
 */
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUT_DIR, RUNTIME_FILES } from './runtime-files.js';

/**
 * Deletes every `.js` under `outDir` whose source (`<root>/<same path>.ts`) no longer exists, except
 * in the copied folders `keep` (their `.js` files are assets, not outputs). Returns the paths removed,
 * relative to `outDir`.
 */
export function removeOrphanOutputs(outDir: string, root: string, keep: readonly string[]): string[] {
  const kept = keep.map((dir) => `${path.normalize(dir)}${path.sep}`);
  const removed: string[] = [];
  for (const relative of readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
    if (!relative.endsWith('.js') || kept.some((dir) => relative.startsWith(dir))) continue;
    if (existsSync(path.join(root, relative.replace(/\.js$/, '.ts')))) continue;
    rmSync(path.join(outDir, relative));
    removed.push(relative);
  }
  return removed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const dir of RUNTIME_FILES) {
    const target = path.join(OUT_DIR, dir);
    rmSync(target, { recursive: true, force: true });
    cpSync(dir, target, { recursive: true });
  }
  removeOrphanOutputs(OUT_DIR, '.', RUNTIME_FILES);
}
