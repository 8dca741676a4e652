import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { removeOrphanOutputs } from '../../scripts/copy-runtime-files.js';
import { OUT_DIR, RUNTIME_FILES } from '../../scripts/runtime-files.js';

/**
 * `npm start` runs the build in `dist/` (README, "Development and tests"). `tsc` emits only
 * JavaScript, so every folder a module reads next to itself (`import.meta.url`) must be in
 * RUNTIME_FILES, which the build copies; these checks read the sources, they never run `tsc`.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const build = ts.readConfigFile(path.join(ROOT, 'tsconfig.build.json'), ts.sys.readFile).config as {
  compilerOptions: { outDir: string };
  include: string[];
};
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Uses of `import.meta` that are not a read of a file next to the module, with the reason. */
const NOT_A_READ: Record<string, string> = {
  'test/bench/processes.ts': 'finds the compiled bench children (dist/test/bench), whether it runs compiled or not',
  'scripts/copy-runtime-files.ts': 'runs its build step only when started as a script, not when a test imports it',
};

/** What a module does with its own location. */
type ModuleLocationUse = { kind: 'require' } | { kind: 'read'; target: string } | { kind: 'other'; at: number };

/** The call `node` is the callee or an argument of, when its callee is written `name`. */
function callOf(node: ts.Node, name: string, sf: ts.SourceFile): ts.CallExpression | undefined {
  const call = node.parent;
  return call && ts.isCallExpression(call) && call.expression.getText(sf) === name ? call : undefined;
}

/** How one `import.meta.url` / `import.meta.dirname` is used (see moduleLocationUses). */
function useOf(meta: ts.PropertyAccessExpression, file: string, sf: ts.SourceFile): ModuleLocationUse {
  let here: ts.Node = meta;
  if (meta.name.text === 'url') {
    if (callOf(meta, 'createRequire', sf)) return { kind: 'require' };
    const toPath = callOf(meta, 'fileURLToPath', sf);
    const dirname = toPath && callOf(toPath, 'path.dirname', sf);
    if (!dirname) return { kind: 'other', at: meta.getStart(sf) };
    here = dirname;
  }
  const join = callOf(here, 'path.join', sf) ?? callOf(here, 'path.resolve', sf);
  const [first, ...parts] = join?.arguments ?? [];
  if (first !== here || !parts.every(ts.isStringLiteral)) return { kind: 'other', at: meta.getStart(sf) };
  return { kind: 'read', target: path.posix.join(path.posix.dirname(file), ...parts.map((p) => p.text)) };
}

/**
 * Every use of `import.meta.url` / `import.meta.dirname` in `text` (the source of the
 * repository-relative `file`), in order: a `createRequire` (node_modules lookups work from dist as
 * they do from the sources), a read next to the module written
 * `path.join(path.dirname(fileURLToPath(import.meta.url)), 'a', …)` (or `import.meta.dirname`,
 * or `path.resolve`) with its repository-relative target, or anything else.
 */
function moduleLocationUses(file: string, text: string): ModuleLocationUse[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const uses: ModuleLocationUse[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isMetaProperty(node.expression) &&
      node.expression.keywordToken === ts.SyntaxKind.ImportKeyword &&
      (node.name.text === 'url' || node.name.text === 'dirname')
    ) {
      uses.push(useOf(node, file, sf));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return uses;
}

/** Whether the build copies the repository-relative `target`. */
const copied = (target: string) => RUNTIME_FILES.some((dir) => target === dir || target.startsWith(`${dir}/`));

/** Every .ts source (no declarations) the build compiles, repository-relative with `/`. */
function buildSources(): string[] {
  return build.include.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => path.posix.join(dir, f.split(path.sep).join('/'))),
  );
}

describe('The build (npm run build: tsc -p tsconfig.build.json, then the copy of RUNTIME_FILES)', () => {
  it('When a compiled module reads a folder or file next to itself, then the build copies it', () => {
    const missing: string[] = [];
    const unexplained: string[] = [];
    for (const file of buildSources()) {
      for (const use of moduleLocationUses(file, readFileSync(path.join(ROOT, file), 'utf8'))) {
        if (use.kind === 'read' && !copied(use.target)) missing.push(`${file} reads ${use.target}`);
        if (use.kind === 'other' && !(file in NOT_A_READ)) unexplained.push(`${file} at character ${use.at}`);
      }
    }
    expect(missing).toEqual([]);
    // Write such reads as path.join(path.dirname(fileURLToPath(import.meta.url)), 'folder'), or explain them in NOT_A_READ.
    expect(unexplained).toEqual([]);
  });

  it('When a new module reads a views folder the list lacks, then the check names it', () => {
    const text = [
      "const VIEWS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');",
      "const DOCS = path.resolve(import.meta.dirname, '../../../seed', 'docs');",
      'const require = createRequire(import.meta.url);',
      'const here = path.dirname(fileURLToPath(import.meta.url));',
      '// a comment naming import.meta.url is no use',
    ].join('\n');
    const uses = moduleLocationUses('server/src/letters/render.ts', text);
    expect(uses).toEqual([
      { kind: 'read', target: 'server/src/letters/views' },
      { kind: 'read', target: 'seed/docs' },
      { kind: 'require' },
      { kind: 'other', at: text.indexOf('import.meta.url', text.indexOf('const here')) },
    ]);
    expect(copied('server/src/letters/views')).toBe(false);
    expect(copied('server/src/web/views/partials')).toBe(true);
  });

  it('When the build copies its folders, then each exists, holds no TypeScript, and lies in what the build compiles', () => {
    for (const dir of RUNTIME_FILES) {
      expect(statSync(path.join(ROOT, dir)).isDirectory()).toBe(true);
      // The copy replaces the folder under dist/: compiled output there would be deleted.
      const typescript = readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith('.ts'),
      );
      expect({ dir, typescript }).toEqual({ dir, typescript: [] });
      expect(build.include.some((inc) => dir.startsWith(`${inc}/`))).toBe(true);
    }
  });

  it('When npm start, npm run partners or npm run bench runs, then it builds first and runs a compiled entry point of the build', () => {
    expect(build.compilerOptions.outDir).toBe(OUT_DIR);
    expect(pkg.scripts['build']).toBe(`tsc -p tsconfig.build.json && node ${OUT_DIR}/scripts/copy-runtime-files.js`);
    for (const [script, entry] of [
      ['start', 'server/main'],
      ['partners', 'server/partners-main'],
      ['bench', 'test/bench/run'],
    ] as const) {
      expect(pkg.scripts[`pre${script}`]).toBe('npm run build');
      // Environment settings and node options may come first (npm start's memory settings, README
      // "Performance"); `exec`, so that node replaces npm's shell (see the next test).
      expect(pkg.scripts[script]).toMatch(
        new RegExp(`^([A-Z_]+=\\w+ )*exec node (--[a-z-]+(=\\d+)? )*${OUT_DIR}/${entry}\\.js$`),
      );
      expect(buildSources()).toContain(`${entry}.ts`);
    }
  });

  it("When a script runs a server or a long run (start, partners, dev, bench, test:soak), then its program replaces npm's shell (exec)", () => {
    for (const script of ['start', 'partners', 'dev', 'bench', 'test:soak'])
      expect({ script, command: pkg.scripts[script] }).toEqual({
        script,
        command: expect.stringMatching(/^([A-Z_]+=\w+ )*exec /),
      });
  });

  it.each(['start', 'partners'])(
    'When npm runs %s in its shell (sh -c) and is told to stop, then node itself gets the signal: it replaced the shell, which would not pass it on (dash) or would leave node running',
    async (script) => {
      const root = mkdtempSync(path.join(os.tmpdir(), 'glasshouse-exec-'));
      let shell: ReturnType<typeof spawn> | undefined;
      try {
        // The script as written, with a probe in place of the entry point: it says its pid and stops on SIGTERM.
        // The handler comes before the pid: the pid is the test's cue to send SIGTERM.
        const probe = path.join(root, 'probe.js');
        writeFileSync(
          probe,
          "process.on('SIGTERM', () => { console.log('stopped'); process.exit(0); }); console.log(process.pid); setInterval(() => {}, 1000);",
        );
        const command = pkg.scripts[script]!.replace(/\S+\.js$/, probe);
        const started = spawn('sh', ['-c', command], {
          detached: true, // its own process group: the finally below stops a node the shell left behind too
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, NODE_OPTIONS: '' },
        });
        shell = started;
        let out = '';
        started.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));
        while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 20));
        expect(Number(out.trim())).toBe(started.pid); // no shell between npm and node
        started.kill('SIGTERM'); // what npm passes on when it is told to stop
        expect(await exited).toBe(0);
        expect(out).toContain('stopped');
      } finally {
        try {
          if (shell?.pid) process.kill(-shell.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it('When a source file is deleted, then the build removes its compiled .js and keeps every other output and copied asset', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'glasshouse-build-'));
    try {
      const put = (file: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), '');
      };
      for (const file of ['server/kept.ts', 'dist/server/kept.js', 'dist/server/deleted.js', 'dist/assets/inbox.js'])
        put(file);
      expect(removeOrphanOutputs(path.join(root, 'dist'), root, ['assets'])).toEqual([
        path.join('server', 'deleted.js'),
      ]);
      expect(readdirSync(path.join(root, 'dist'), { recursive: true, encoding: 'utf8' }).sort()).toEqual(
        ['assets', path.join('assets', 'inbox.js'), 'server', path.join('server', 'kept.js')].sort(),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
