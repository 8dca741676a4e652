import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SDK_CONTRACT_FILE, sdkContractText } from '../../server/testkit/contract/contract.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the SDK wire contract', () => {
  it(`When the server's OpenAPI document is turned into types again, then ${SDK_CONTRACT_FILE} is the same (else: npm run contract)`, async () => {
    const committed = await readFile(path.join(ROOT, SDK_CONTRACT_FILE), 'utf8');
    const fresh = await sdkContractText();
    expect(fresh).toContain('Message: {');
    expect(committed).toBe(fresh);
  });
});
