import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import type { PathSegment } from './placeholders.js';

/** Where something is in a pipeline file (1-based line and column). */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Finds the YAML node at a key path in one parsed file. */
export interface SpecLocator {
  readonly file: string;
  /** The exact node's position, or undefined when the file does not hold that path. */
  find(path: readonly PathSegment[], atKey?: boolean): SourcePosition | undefined;
}

type AnyDocument = Document.Parsed | Document;

function deref(node: unknown, doc: AnyDocument): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function findPair(map: unknown, segment: PathSegment, doc: AnyDocument, depth = 0): Pair | undefined {
  if (!isMap(map) || depth > 8) return undefined;
  const own = map.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
  if (own) return own;
  // `<<: *anchor` merge keys: look in the merged maps.
  for (const pair of map.items) {
    if (!isScalar(pair.key) || (pair.key.value !== '<<' && typeof pair.key.value !== 'symbol')) continue;
    const value = deref(pair.value, doc);
    const sources = isSeq(value) ? value.items.map((i) => deref(i, doc)) : [value];
    for (const source of sources) {
      const found = findPair(source, segment, doc, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function hasRange(node: unknown): node is Node & { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as { range?: unknown }).range);
}

export function createLocator(doc: AnyDocument, lineCounter: LineCounter, file: string): SpecLocator {
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  return {
    file,
    find(path, atKey = false) {
      let node: unknown = doc.contents;
      let keyNode: unknown;
      for (const segment of path) {
        node = deref(node, doc);
        if (isMap(node)) {
          const pair = findPair(node, segment, doc);
          if (!pair) return undefined;
          keyNode = pair.key;
          node = pair.value;
        } else if (isSeq(node) && typeof segment === 'number') {
          node = node.items[segment];
          keyNode = undefined;
          if (node === undefined) return undefined;
        } else {
          return undefined;
        }
      }
      // `key:` with nothing after it has an empty value node: point at the key instead.
      const emptyValue = isScalar(node) && node.value === null && node.source === '';
      const target = (atKey || emptyValue || !hasRange(node)) && hasRange(keyNode) ? keyNode : node;
      if (!hasRange(target)) return path.length === 0 ? { file, line: 1, column: 1 } : undefined;
      return position(target.range[0]);
    },
  };
}

/**
 * The position of `path`: exact in the first locator that holds it (list the project's file
 * before the template), else its nearest ancestor, else line 1 of the first file.
 */
export function locate(
  locators: readonly SpecLocator[],
  path: readonly PathSegment[],
  atKey = false,
): SourcePosition {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    for (const locator of locators) {
      const found = locator.find(prefix, length === path.length && atKey);
      if (found) return found;
    }
  }
  return { file: locators[0]?.file ?? '(spec)', line: 0, column: 0 };
}
