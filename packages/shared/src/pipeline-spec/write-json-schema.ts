import { writeFile } from 'node:fs/promises';
import { JSON_SCHEMA_FILE, jsonSchemaText } from './json-schema.js';

/**
 * Writes the pipeline JSON Schema: `node packages/shared/dist/pipeline-spec/write-json-schema.js OUT`
 * (`npm run schema` writes pipelines/ferry-pipeline.schema.json). json-schema.test.ts fails
 * when the committed file differs from what this writes.
 */
const out = process.argv[2] ?? JSON_SCHEMA_FILE;
await writeFile(out, jsonSchemaText());
process.stdout.write(`wrote ${out}\n`);
