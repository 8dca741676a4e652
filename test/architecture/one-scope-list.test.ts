import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { API_SCOPES } from '../../partners/sdk/scopes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const THE_LIST = 'partners/sdk/scopes.ts';

/** Code and templates (not scenario data, not generated JSON) of the given top folders. */
function sources(...dirs: string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|js|eta)$/.test(f) && !f.includes('node_modules'))
      .map((f) => path.join(dir, f)),
  );
}

/** Lines naming all scopes but at most one (a drifted copy misses one): copies of the scope list. */
function listCopies(file: string, text: string): string[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
    .filter(
      ({ line }) =>
        API_SCOPES.filter((s) => new RegExp(`(^|[\\s'"\`[,])${s}($|[\\s'"\`\\],])`).test(line)).length >=
        API_SCOPES.length - 1,
    )
    .map(({ at }) => at);
}

describe('one scope list', () => {
  it(`When the code, templates and tests are searched, then only ${THE_LIST} lists the scopes`, () => {
    const files = sources('server', 'partners', 'seed', 'test').filter(
      (f) => f !== THE_LIST && !f.startsWith('test/architecture/'),
    );
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((f) => listCopies(f, readFileSync(path.join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('When a file spells the list out again, then the search names its line', () => {
    const copy =
      "const SCOPES = ['profile', 'friends:read', 'messages:read', 'messages:write', 'threads:participants'];";
    expect(listCopies('x.ts', `ok\n${copy}`)).toEqual(['x.ts:2']);
    expect(
      listCopies(
        'y.ts',
        "scope: 'profile friends:read messages:read messages:write messages:delete threads:participants',",
      ),
    ).toEqual(['y.ts:1']);
    expect(listCopies('z.ts', "scopes: ['profile', 'friends:read', 'messages:write']")).toEqual([]);
  });
});
