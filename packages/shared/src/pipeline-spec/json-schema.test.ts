import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildJsonSchema, jsonSchemaText } from './json-schema.js';
import { loadSpec, parseSpec } from './parse.js';

const root = new URL('../../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const examples = readdirSync(new URL('pipelines/examples/', root)).filter((f) => f.endsWith('.yml'));

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

/** The keys of `value` the JSON Schema does not allow (a small walk, not a full validator). */
function keysRefused(schema: JsonSchema, value: unknown, path = ''): string[] {
  const flatten = (s: JsonSchema): JsonSchema[] => (s.anyOf ? s.anyOf.flatMap(flatten) : [s]);
  const options = flatten(schema);
  if (Array.isArray(value)) {
    const list = options.find((o) => o.type === 'array');
    return list?.items
      ? value.flatMap((v, i) => keysRefused(list.items as JsonSchema, v, `${path}[${i}]`))
      : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const map = options.find((o) => o.type === 'object');
  if (!map) return [path];
  return Object.entries(value).flatMap(([key, item]) => {
    const sub =
      map.properties?.[key] ??
      (typeof map.additionalProperties === 'object' ? map.additionalProperties : undefined);
    return sub ? keysRefused(sub, item, `${path}.${key}`) : [`${path}.${key}`];
  });
}

describe('the JSON Schema', () => {
  it('is committed exactly as generated (run `npm run schema` after changing schema.ts)', () => {
    expect(read('pipelines/ferry-pipeline.schema.json')).toBe(jsonSchemaText());
  });

  it('is draft-07, closed to unknown keys, and documents every top-level key', () => {
    const schema = buildJsonSchema() as JsonSchema & { $schema: string; $id: string };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties ?? {})).toEqual([
      'version',
      'service',
      'group',
      'stages',
      'environments',
    ]);
    for (const property of Object.values(schema.properties ?? {})) {
      expect((property as { description?: string }).description).toBeTruthy();
    }
  });

  it.each(['pipelines/default.yml', ...examples.map((f) => `pipelines/examples/${f}`)])(
    'allows every key of %s',
    (file) => {
      expect(keysRefused(buildJsonSchema() as JsonSchema, parseYaml(read(file), { merge: true }))).toEqual(
        [],
      );
    },
  );

  it('refuses a misspelt key (the walk is not vacuous)', () => {
    expect(keysRefused(buildJsonSchema() as JsonSchema, { stages: { test: { scirpt: [] } } })).toEqual([
      '.stages.test.scirpt',
    ]);
  });
});

describe('the committed pipelines', () => {
  it('default.yml is a complete, valid spec with no warnings', () => {
    const result = parseSpec(read('pipelines/default.yml'), 'pipelines/default.yml');
    expect(result.ok ? result.warnings : result.problems).toEqual([]);
  });

  it.each(examples)('examples/%s is valid over default.yml, with no warnings', (file) => {
    const result = loadSpec(
      { text: read('pipelines/default.yml'), file: 'pipelines/default.yml' },
      { text: read(`pipelines/examples/${file}`), file },
    );
    expect(result.ok ? result.warnings : result.problems).toEqual([]);
  });
});
