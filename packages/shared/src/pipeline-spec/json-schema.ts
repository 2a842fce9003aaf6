import { z } from 'zod';
import { specSchema } from './schema.js';

/** Where the committed JSON Schema lives and the id editors see. */
export const JSON_SCHEMA_FILE = 'pipelines/ferry-pipeline.schema.json';
export const JSON_SCHEMA_ID = 'https://ferry.dev/schemas/ferry-pipeline.schema.json';

/**
 * The JSON Schema of pipeline files, built from the zod schema (draft-07, what YAML editors
 * read best). It checks shape, types and patterns; the rules that span keys (unique branches,
 * resolved names, secrets) run in `ferry lint`.
 */
export function buildJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, { target: 'draft-07', io: 'input', unrepresentable: 'throw' });
  return { ...schema, $id: JSON_SCHEMA_ID, title: 'Ferry pipeline file' };
}

/** The schema as committed: two-space JSON with a trailing newline. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
