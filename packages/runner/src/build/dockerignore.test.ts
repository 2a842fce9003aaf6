import { describe, expect, it } from 'vitest';
import { DockerIgnore } from './dockerignore.js';

describe('DockerIgnore', () => {
  const ignore = new DockerIgnore(
    [
      '# comment',
      'node_modules',
      '*.log',
      '/build/',
      'docs/**/*.png',
      '**/tmp',
      'secret*',
      '!secret.example',
      '',
      'a/?.txt',
    ].join('\n'),
  );
  it.each([
    ['node_modules', true],
    ['node_modules/x/index.js', true],
    ['src/node_modules', false],
    ['app.log', true],
    ['logs/app.log', false],
    ['build', true],
    ['build/out.js', true],
    ['docs/a.png', true],
    ['docs/x/y/a.png', true],
    ['docs/a.md', false],
    ['tmp', true],
    ['a/b/tmp/c', true],
    ['secret.txt', true],
    ['secret.example', false],
    ['a/b.txt', true],
    ['a/bc.txt', false],
    ['src/index.ts', false],
  ])('%s excluded: %s', (path, expected) => {
    expect(ignore.excludes(path)).toBe(expected);
  });

  it('knows when re-included files may hide in excluded directories', () => {
    expect(ignore.hasExclusions).toBe(true);
    expect(new DockerIgnore('node_modules\n').hasExclusions).toBe(false);
  });

  it('the last matching pattern wins', () => {
    const d = new DockerIgnore('*.md\n!README.md\nREADME.md\n');
    expect(d.excludes('README.md')).toBe(true);
  });
});
