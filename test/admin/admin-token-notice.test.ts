import { describe, expect, it } from '@jest/globals';
import { adminTokenNotice, DEMO_ADMIN_TOKEN, loadConfig } from '../../server/src/config.js';

describe('The admin token at start-up (server/main.ts prints adminTokenNotice)', () => {
  it('When ADMIN_TOKEN is not set, then the public demo default is printed, saying so', () => {
    expect(adminTokenNotice(loadConfig({}))).toBe(`Admin token: ${DEMO_ADMIN_TOKEN} (the public demo default)`);
  });

  it('When ADMIN_TOKEN comes from the environment, then it is never printed', () => {
    const secret = 'a-real-secret-from-the-environment';
    const notice = adminTokenNotice(loadConfig({ ADMIN_TOKEN: secret }));
    expect(notice).not.toContain(secret);
    expect(notice).toContain('ADMIN_TOKEN');
  });
});
