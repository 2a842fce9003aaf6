import { describe, expect, it } from 'vitest';
import { MAX_SPEC_BYTES } from './limits.js';
import { readYamlSource } from './yaml-source.js';

function problemsOf(text: string) {
  const result = readYamlSource(text, 'f.yml');
  return result.ok ? [] : result.problems;
}

describe('reading YAML safely', () => {
  it('reads one document and locates keys', () => {
    const result = readYamlSource('a:\n  b: 1\n  c: [x, y]\n', 'f.yml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({ a: { b: 1, c: ['x', 'y'] } });
    expect(result.locator.find(['a', 'b'])).toEqual({ file: 'f.yml', line: 2, column: 6 });
    expect(result.locator.find(['a', 'b'], true)).toEqual({ file: 'f.yml', line: 2, column: 3 });
    expect(result.locator.find(['a', 'c', 1])).toEqual({ file: 'f.yml', line: 3, column: 10 });
    expect(result.locator.find(['a', 'missing'])).toBeUndefined();
  });

  it('locates keys reached through merge keys and aliases', () => {
    const result = readYamlSource('base: &b\n  x: 1\nuse:\n  <<: *b\n  y: 2\n', 'f.yml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({ base: { x: 1 }, use: { x: 1, y: 2 } });
    expect(result.locator.find(['use', 'x'])).toEqual({ file: 'f.yml', line: 2, column: 6 });
  });

  it('reads an empty file as an empty map', () => {
    const result = readYamlSource('# nothing\n', 'f.yml');
    expect(result.ok && result.value).toEqual({});
  });

  it.each([
    ['x'.repeat(MAX_SPEC_BYTES + 1), 'file-too-large', 1],
    ['a: 1\n---\nb: 2\n', 'multiple-documents', 2],
    ['a: 1\na: 2\n', 'duplicate-key', 2],
    ['a: [1,\n', 'yaml-syntax', 2],
    ['a: !custom x\n', 'yaml-syntax', 1],
    ['a:\n\t- x\n', 'yaml-syntax', 2],
  ])('refuses %#: %s', (text, code, line) => {
    const problems = problemsOf(text);
    expect(problems[0]?.code).toBe(code);
    expect(problems[0]?.line).toBe(line);
  });

  it('refuses a file over the size limit before parsing it', () => {
    // Invalid YAML past the limit: only the size is reported.
    const problems = problemsOf(`a: [${'1,'.repeat(MAX_SPEC_BYTES)}`);
    expect(problems.map((p) => p.code)).toEqual(['file-too-large']);
  });

  it('refuses an alias bomb', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
      ['g', 'f'],
    ]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const problems = problemsOf(`${lines.join('\n')}\n`);
    expect(['alias-limit', 'document-too-large']).toContain(problems[0]?.code);
  });

  it('refuses a document that expands too large through few aliases', () => {
    const big = `[${Array(200).fill('1').join(', ')}]`;
    const text = `a: &a ${big}\nb: &b [${Array(40).fill('*a').join(', ')}]\nc: [*b, *b, *b]\n`;
    const problems = problemsOf(text);
    expect(['alias-limit', 'document-too-large']).toContain(problems[0]?.code);
  });
});
