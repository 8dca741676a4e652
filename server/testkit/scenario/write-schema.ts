/** `npm run scenario:schema`: regenerates seed/scenarios/scenario.schema.json from the zod schema. */
import { writeFile } from 'node:fs/promises';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from './json-schema.js';

await writeFile(SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText());
console.log(`wrote ${SCENARIO_SCHEMA_FILE}`);
