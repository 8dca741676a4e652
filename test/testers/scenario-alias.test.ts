import { describe, expect, it } from '@jest/globals';
import { parseScenario, ScenarioFileError } from '../../server/testkit/scenario/parse.js';

describe('a hostile scenario file', () => {
  it('When a file expands YAML aliases exponentially, then it is refused as a file error, not a crash', () => {
    const bomb = [
      'name: bomb',
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'steps: [*d]',
    ].join('\n');
    expect(() => parseScenario(bomb, 'bomb.yaml')).toThrow(ScenarioFileError);
    expect(() => parseScenario(bomb, 'bomb.yaml')).toThrow(/^bomb\.yaml:1: cannot be read: Excessive alias count/);
  });
});
