/**
 * Second step of `npm run build` (after `tsc -p tsconfig.build.json`), run from the repository
 * root as npm does: replaces each folder of RUNTIME_FILES under `dist/` with a fresh copy, so a file
 * deleted from the sources does not live on in the build.
 */
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { OUT_DIR, RUNTIME_FILES } from './runtime-files.js';

for (const dir of RUNTIME_FILES) {
  const target = path.join(OUT_DIR, dir);
  rmSync(target, { recursive: true, force: true });
  cpSync(dir, target, { recursive: true });
}
