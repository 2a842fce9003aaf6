import { describe, expect, it } from 'vitest';
import { allowedBy, globToRegExp, referenceForms } from './allowlist.js';

describe('allowedBy', () => {
  const patterns = ['registry.vpc:5000/base/*', 'node:20-*', 'ferry-test/**'];
  it.each([
    ['registry.vpc:5000/base/node:20', 'registry.vpc:5000/base/*'],
    ['registry.vpc:5000/base/node@sha256:' + 'a'.repeat(64), 'registry.vpc:5000/base/*'],
    ['registry.vpc:5000/base/team/node:20', undefined],
    ['registry.vpc:5000/other/node:20', undefined],
    ['node:20-bookworm', 'node:20-*'],
    ['docker.io/library/node:20-slim', 'node:20-*'],
    ['library/node:20-slim', 'node:20-*'],
    ['node:20', undefined],
    ['node:22-bookworm', undefined],
    ['node', undefined],
    ['ferry-test/busybox:latest', 'ferry-test/**'],
    ['ferry-test/a/b:1', 'ferry-test/**'],
    ['evil.example/ferry-test/x:1', undefined],
  ])('%s → %s', (image, expected) => {
    expect(allowedBy(image, patterns)).toBe(expected);
  });

  it('an empty allowlist allows nothing', () => {
    expect(allowedBy('node:20', [])).toBeUndefined();
  });

  it.each([
    ['node', ['node', 'node:latest', 'docker.io/library/node:latest']],
    ['docker.io/library/node:20', ['docker.io/library/node:20', 'node:20']],
    ['team/app:1', ['team/app:1', 'docker.io/team/app:1']],
    ['registry.vpc:5000/base/node', ['registry.vpc:5000/base/node', 'registry.vpc:5000/base/node:latest']],
  ])('referenceForms(%s)', (image, forms) => {
    expect(referenceForms(image).sort()).toEqual([...forms].sort());
  });

  it('escapes regular expression characters', () => {
    expect(globToRegExp('a.b+c').test('aXb+c')).toBe(false);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
  });
});
