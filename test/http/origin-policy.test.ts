import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../server/src/config.js';
import { createOriginPolicy } from '../../server/src/http/origin-policy.js';

describe('the origin policy of cookie-authenticated endpoints', () => {
  const config = loadConfig({
    PLATFORM_URL: 'http://localhost:3000',
    ALLOWED_ORIGINS: 'http://localhost:5173/, https://demo.example',
  });
  const policy = createOriginPolicy(config);

  it('When ALLOWED_ORIGINS lists origins, then they are parsed (trailing slash dropped) and anything that is not an origin is refused at start', () => {
    expect(config.ALLOWED_ORIGINS).toEqual(['http://localhost:5173', 'https://demo.example']);
    expect(loadConfig({}).ALLOWED_ORIGINS).toEqual([]);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'http://x.example/path' })).toThrow(ConfigError);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'not a url' })).toThrow(ConfigError);
  });

  it.each([
    ['the platform origin', 'http://localhost:3000', 'localhost:3000', true],
    ['an allowed origin', 'https://demo.example', 'localhost:3000', true],
    ['the origin the request was addressed to', 'http://127.0.0.1:3000', '127.0.0.1:3000', true],
    ['no Origin (not a browser page)', undefined, 'localhost:3000', true],
    ['another port of localhost', 'http://localhost:3001', 'localhost:3000', false],
    ['a foreign site', 'http://evil.example', 'localhost:3000', false],
    ['an opaque origin', 'null', 'localhost:3000', false],
  ])('When the Origin is %s, then allows() says %s', (_name, origin, host, allowed) => {
    expect(policy.allows(origin, host)).toBe(allowed);
  });
});
