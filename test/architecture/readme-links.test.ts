import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(import.meta.dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** What a reference may name: a heading, or an emphasised label (`**Real time**`, `*Apps and websites*`). */
const LANDMARKS = [...README.matchAll(/^#{2,4} (.+)$/gm), ...README.matchAll(/\*\*([^*\n]+)\*\*|\*([^*\n]+)\*/g)].map(
  (m) => (m[1] ?? m[2] ?? '').trim().toLowerCase(),
);

/** Code, templates and browser scripts of the repository's top folders. */
function sources(): { file: string; text: string }[] {
  return ['server', 'partners', 'seed', 'test'].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|js|eta)$/.test(f))
      .map((f) => path.join(dir, f))
      .filter((file) => file !== 'test/architecture/readme-links.test.ts')
      .map((file) => ({ file, text: readFileSync(path.join(ROOT, file), 'utf8') })),
  );
}

/** `file: README, "Section"` for each reference that no README heading or emphasised label contains. */
function brokenReferences(files: { file: string; text: string }[], landmarks: string[]): string[] {
  return files.flatMap(({ file, text }) =>
    [...text.matchAll(/README,? "([^"]+)"/g)]
      .map((m) => m[1]!.replace(/\s*\n\s*(?:\*|\/\/)?\s*/g, ' ')) // a name may wrap onto the next comment line
      .filter((name) => !landmarks.some((l) => l.includes(name.toLowerCase())))
      .map((name) => `${file}: README, "${name}"`),
  );
}

/** Files that send the reader to a document outside the repository (the project's old brief). */
function outsidePointers(files: { file: string; text: string }[]): string[] {
  return files.filter(({ text }) => /\bbrief\b/i.test(text)).map(({ file }) => file);
}

describe('comments point into the repository', () => {
  it('When code names a README section, then the README has that heading or label; and nothing points to the brief', () => {
    const files = sources();
    expect(brokenReferences(files, LANDMARKS)).toEqual([]);
    expect(outsidePointers(files)).toEqual([]);
  });

  it('When a comment names a missing section or the brief, then the checks name the file', () => {
    const files = [
      { file: 'a.ts', text: '// see README, "No such section"' },
      { file: 'b.ts', text: '/** (BRIEF "Definitions") */' },
      { file: 'c.ts', text: '/**\n * see README "Layers and the\n * direction of imports" */' },
    ];
    expect(brokenReferences(files, LANDMARKS)).toEqual(['a.ts: README, "No such section"']);
    expect(outsidePointers(files)).toEqual(['b.ts']);
  });
});
