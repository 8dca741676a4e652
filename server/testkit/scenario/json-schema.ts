import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/** Where the JSON Schema of scenario files is committed (relative to the repository root). */
export const SCENARIO_SCHEMA_FILE = 'seed/scenarios/scenario.schema.json';

/**
 * The JSON Schema (draft-07, what editors' YAML language servers read) of scenario files, generated
 * from the zod schema, as the committed file's text (2-space JSON and a final newline). Refinements
 * (`send`: thread or to; `delete`: message or text) are checked by `parseScenario` only.
 */
export function scenarioJsonSchemaText(): string {
  const schema = z.toJSONSchema(scenarioSchema, { target: 'draft-7', io: 'input' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
