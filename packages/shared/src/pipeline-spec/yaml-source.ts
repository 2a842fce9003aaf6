import { LineCounter, parseAllDocuments, type YAMLError } from 'yaml';
import { MAX_ALIAS_COUNT, MAX_EXPANDED_NODES, MAX_SPEC_BYTES } from './limits.js';
import { createLocator, type SpecLocator } from './locator.js';
import type { SpecProblem } from './problems.js';

export type YamlSourceResult =
  | { readonly ok: true; readonly value: unknown; readonly locator: SpecLocator }
  | { readonly ok: false; readonly problems: SpecProblem[] };

function problem(
  file: string,
  line: number,
  column: number,
  code: SpecProblem['code'],
  message: string,
  hint?: string,
) {
  const p: SpecProblem = { file, line, column, path: '(document)', code, message, severity: 'error' };
  return hint === undefined ? p : { ...p, hint };
}

function yamlErrorProblem(file: string, lineCounter: LineCounter, error: YAMLError): SpecProblem {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const message = error.message.split('\n')[0] ?? error.message;
  if (error.code === 'DUPLICATE_KEY') {
    return problem(file, line, col, 'duplicate-key', message, 'each key may appear once in a map');
  }
  if (error.code === 'TAG_RESOLVE_FAILED' || /tag/i.test(message)) {
    return problem(file, line, col, 'yaml-syntax', message, 'custom YAML tags are not supported');
  }
  return problem(file, line, col, 'yaml-syntax', message);
}

/** Counts values as JSON would expand them, stopping once past `limit`. */
function countNodes(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const next = stack.pop();
    count++;
    if (Array.isArray(next)) stack.push(...next);
    else if (typeof next === 'object' && next !== null) stack.push(...Object.values(next));
  }
  return count;
}

/**
 * Reads one YAML document safely: refuses files over the size limit before parsing, more than
 * one document, syntax errors, duplicate keys, custom tags, alias bombs and documents that
 * expand too large. An empty document reads as an empty map.
 */
export function readYamlSource(text: string, file: string): YamlSourceResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SPEC_BYTES) {
    return {
      ok: false,
      problems: [
        problem(
          file,
          1,
          1,
          'file-too-large',
          `the file is ${bytes} bytes; the limit is ${MAX_SPEC_BYTES} bytes (${MAX_SPEC_BYTES / 1024} KiB)`,
          'a pipeline file holds settings, not data',
        ),
      ],
    };
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (docs.length > 1) {
    const second = docs[1];
    const { line, col } = lineCounter.linePos(second?.range[0] ?? 0);
    return {
      ok: false,
      problems: [
        problem(
          file,
          line,
          col,
          'multiple-documents',
          `the file holds ${docs.length} YAML documents; a pipeline file is one`,
          'remove the "---" separators',
        ),
      ],
    };
  }
  const doc = docs[0];
  if (doc === undefined) {
    return { ok: true, value: {}, locator: { file, find: () => ({ file, line: 1, column: 1 }) } };
  }
  const failures = [...doc.errors, ...doc.warnings];
  if (failures.length > 0) {
    return { ok: false, problems: failures.map((e) => yamlErrorProblem(file, lineCounter, e)) };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problems: [
        problem(
          file,
          1,
          1,
          'alias-limit',
          `the document uses aliases too heavily (${message})`,
          `at most ${MAX_ALIAS_COUNT} alias expansions; write the values out`,
        ),
      ],
    };
  }
  if (countNodes(value, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES) {
    return {
      ok: false,
      problems: [
        problem(
          file,
          1,
          1,
          'document-too-large',
          `the document expands to more than ${MAX_EXPANDED_NODES} values`,
          'aliases multiply values; write a smaller file',
        ),
      ],
    };
  }
  return { ok: true, value: value ?? {}, locator: createLocator(doc, lineCounter, file) };
}
