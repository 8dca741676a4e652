import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from '../../server/testkit/scenario/json-schema.js';
import { parseScenario, ScenarioFileError } from '../../server/testkit/scenario/parse.js';
import { SHIPPED, scenarioText } from './helpers/scenarios.js';

const head = 'name: broken\nsteps:\n  - authorize: { person: alice, client: tunewave, scopes: [profile] }\n';

/** Broken scenario files: what is wrong, the text, and the `file:line: field: problem` expected. */
const BROKEN: [string, string, RegExp][] = [
  [
    'a misspelt field',
    `${head}  - read: { as: alice, client: tunewave, thred: g_weekend }\n`,
    /^bad\.yaml:4: steps\.1\.read\.thred: unknown field "thred"$/,
  ],
  [
    'a wrong type',
    `${head}  - read:\n      as: alice\n      client: tunewave\n      expect: { count: five }\n`,
    /^bad\.yaml:7: steps\.1\.read\.expect\.count: .*expected number/,
  ],
  [
    'an unknown step',
    `${head}  - dance: { as: alice }\n`,
    /^bad\.yaml:4: steps\.1: unknown step "dance"; expected one of: authorize, play/,
  ],
  [
    'a YAML syntax error',
    `${head}  - read: { as: alice, client: tunewave\n  - friends: { as: alice, client: tunewave }\n`,
    /^bad\.yaml:5: /,
  ],
  [
    'a missing field',
    `${head}  - play:\n      as: alice\n      client: tunewave\n      to: bob\n`,
    /^bad\.yaml:5: steps\.1\.play\.title: Required \(string\)$/,
  ],
  [
    'both thread and to',
    `${head}  - send: { as: alice, client: tunewave, thread: g_weekend, to: bob, text: hi }\n`,
    /^bad\.yaml:4: steps\.1\.send: give either thread or to$/,
  ],
  [
    'an unknown scope',
    'name: x\nsteps:\n  - authorize:\n      person: alice\n      client: tunewave\n      scopes: [profile, everything]\n',
    /^bad\.yaml:6: steps\.0\.authorize\.scopes\.1: /,
  ],
  [
    'two kinds in one step',
    `${head}  - read: { as: alice, client: tunewave }\n    friends: { as: alice, client: tunewave }\n`,
    /^bad\.yaml:4: steps\.1: a step is an object with exactly one key/,
  ],
  [
    'an exposure bound of the wrong type',
    `${head}  - expect:\n      exposure: { client: tunewave, bystanders: lots }\n`,
    /^bad\.yaml:5: steps\.1\.expect\.exposure\.bystanders: expected a number, a list/,
  ],
  [
    'an empty expect',
    `${head}  - expect: {}\n`,
    /^bad\.yaml:4: steps\.1\.expect: give accessLog, exposure or messages$/,
  ],
  // Values the admin API would refuse at run time are refused in the file (one source of limits).
  ['a clock advance of 1.5 s', `${head}  - advance-clock: 1.5\n`, /^bad\.yaml:4: steps\.1\.advance-clock: .*int/],
  [
    'a fault for more calls than the API takes',
    `${head}  - fault: { client: tunewave, kind: status, status: 503, times: 20000 }\n`,
    /^bad\.yaml:4: steps\.1\.fault\.times: .*10000/,
  ],
  [
    'a fault for longer than the API takes',
    `${head}  - fault: { client: tunewave, kind: drop-sockets, seconds: 100000 }\n`,
    /^bad\.yaml:4: steps\.1\.fault\.seconds: .*86400/,
  ],
  ['no name', 'steps:\n  - set-policy: broad\n', /^bad\.yaml:1: name: Required \(string\)$/],
  ['a duplicate key', 'name: a\nname: b\nsteps:\n  - set-policy: broad\n', /^bad\.yaml:2: .*unique/],
];

describe('scenario files', () => {
  it('When a file has a missing field on line 4 and an unknown step on line 7, then both are named with their lines', () => {
    const text = [
      'name: two problems',
      'steps:',
      '  - authorize: { person: alice, client: tunewave, scopes: [profile] }',
      '  - read: { client: tunewave }',
      '  - friends: { as: alice, client: tunewave }',
      '  - set-policy: broad',
      '  - dance: { as: alice }',
    ].join('\n');
    let error: unknown;
    try {
      parseScenario(text, 'two.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScenarioFileError);
    expect((error as ScenarioFileError).problems.map((p) => [p.line, p.field])).toEqual([
      [4, 'steps.1.read.as'],
      [7, 'steps.4'],
    ]);
    expect((error as Error).message.split('\n')).toEqual([
      'two.yaml:4: steps.1.read.as: Required (string)',
      expect.stringMatching(/^two\.yaml:7: steps\.4: unknown step "dance"/),
    ]);
  });

  it('When a file has two misspelt fields and no name, then all three are reported', () => {
    const text =
      'steps:\n  - read: { as: alice, client: tunewave, thred: x }\n  - friends: { as: alice, clint: tunewave }\n';
    const error = (() => {
      try {
        return parseScenario(text, 'b.yaml');
      } catch (err) {
        return err as ScenarioFileError;
      }
    })() as ScenarioFileError;
    expect(error.problems.map((p) => `${p.line} ${p.field}`)).toEqual([
      '1 name',
      '2 steps.0.read.thred',
      '3 steps.1.friends.clint',
    ]);
  });

  it.each(BROKEN)('When a scenario file has %s, then parsing fails naming its line', (_what, text, message) => {
    let error: unknown;
    try {
      parseScenario(text, 'bad.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScenarioFileError);
    expect((error as Error).message).toMatch(message);
  });

  it.each(SHIPPED)('When %s is read, then it parses and points editors at the JSON Schema', (file) => {
    const text = scenarioText(file);
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json');
    expect(parseScenario(text, file).steps.length).toBeGreaterThan(0);
  });

  it('When the JSON Schema is generated from the zod schema, then it equals the committed file (npm run scenario:schema)', () => {
    const committed = readFileSync(SCENARIO_SCHEMA_FILE, 'utf8');
    expect(committed).toBe(scenarioJsonSchemaText());
    const schema = JSON.parse(committed) as {
      $schema: string;
      required: string[];
      properties: { steps: { items: { anyOf: unknown[] } } };
    };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.required).toEqual(['name', 'steps']);
    expect(schema.properties.steps.items.anyOf).toHaveLength(15);
  });
});
