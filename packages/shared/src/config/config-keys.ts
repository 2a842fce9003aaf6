import { z } from 'zod';

/** The path segment that stands for any key of a map (`environments.<*>.branch`). */
export const anyKey = '<*>';

/** Defaults, optional and nullable markers, and transforms (durations, secrets) around a schema. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable
    ) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else {
      return s;
    }
  }
}

/**
 * Every key path of a configuration schema, as people write them in docs/configuration.md:
 * `server.port`, `wecom.bots[].language` (a field of each list item), `environments.<*>.branch`
 * (a field under any key of a map). `leaf` is true for keys that hold a value (a string, a list of
 * strings, a map of strings, a secret reference), false for groups of keys.
 */
export function configKeys(schema: z.ZodType, prefix = ''): Array<{ path: string; leaf: boolean }> {
  const s = unwrap(schema);
  const out: Array<{ path: string; leaf: boolean }> = [];
  const nested = (inner: z.ZodType, path: string) => {
    const below = configKeys(inner, path);
    if (below.length === 0) out.push({ path, leaf: true });
    else out.push({ path, leaf: false }, ...below);
  };
  if (s instanceof z.ZodObject) {
    for (const [key, field] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      nested(field, prefix === '' ? key : `${prefix}.${key}`);
    }
  } else if (s instanceof z.ZodArray && unwrap(s.element as z.ZodType) instanceof z.ZodObject) {
    const item = `${prefix}[]`;
    out.push({ path: item, leaf: false }, ...configKeys(s.element as z.ZodType, item));
  } else if (s instanceof z.ZodRecord && unwrap(s.valueType as z.ZodType) instanceof z.ZodObject) {
    const entry = `${prefix}.${anyKey}`;
    out.push({ path: entry, leaf: false }, ...configKeys(s.valueType as z.ZodType, entry));
  }
  return out;
}

/**
 * The keys named in the first column of a markdown table of keys: each `code span` is a key;
 * one starting with `.` is a sibling of the key before it (`pipelines.stageTimeout.test` / `.build`),
 * and any `<name>` segment stands for any key of a map.
 */
export function documentedKeys(markdownTable: string): string[] {
  const keys: string[] = [];
  for (const line of markdownTable.split('\n')) {
    const cell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (cell === undefined) continue;
    let parent = '';
    for (const [, code] of cell.matchAll(/`([^`]+)`/g)) {
      const name = code!.trim();
      const full = name.startsWith('.') && parent !== '' ? `${parent}${name}` : name;
      const key = full.replace(/<[^>]+>/g, anyKey);
      parent = key.replace(/\.[^.]+$/, '');
      keys.push(key);
    }
  }
  return keys;
}
