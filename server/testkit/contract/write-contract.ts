/** `npm run contract`: regenerates the SDK's wire types (partners/sdk/contract/) from the server's OpenAPI document. */
import { writeFile } from 'node:fs/promises';
import { SDK_CONTRACT_FILE, sdkContractText } from './contract.js';

await writeFile(SDK_CONTRACT_FILE, await sdkContractText());
console.log(`wrote ${SDK_CONTRACT_FILE}`);
