import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../server/src/config.js';

/** `loadConfig` (the environment at start) refuses a bad setting by name, saying what it got. */
describe('configuration errors', () => {
  it.each([
    ['PLATFORM_PORT', 'abc'],
    ['API_RATE_LIMIT', 'lots'],
  ])('When %s is %s, then the error names it and what it got, not "received NaN"', (name, value) => {
    const refusal = (() => {
      try {
        loadConfig({ [name]: value });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as Error).message).toContain(`${name}: Expected a number, got "${value}"`);
    expect((refusal as Error).message).not.toContain('NaN');
  });

  it('When PLATFORM_PORT is 1.5, then the error asks for a whole number', () => {
    expect(() => loadConfig({ PLATFORM_PORT: '1.5' })).toThrow(/PLATFORM_PORT: Expected a whole number, got "1\.5"/);
  });
});
