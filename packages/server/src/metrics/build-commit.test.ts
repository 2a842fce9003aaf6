import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCommit } from './build-commit.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-build-commit-'));
const file = (content: string) => {
  const path = join(dir, `BUILD_COMMIT-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, content);
  return pathToFileURL(path);
};
const none = pathToFileURL(join(dir, 'absent'));

describe('buildCommit', () => {
  it('takes FERRY_COMMIT first, then the build file, else unknown', () => {
    expect(buildCommit({ FERRY_COMMIT: '8c1d2e4f' }, file('0b1c2d3e\n'))).toBe('8c1d2e4f');
    expect(buildCommit({}, file('0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c\n'))).toBe(
      '0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c',
    );
    expect(buildCommit({}, none)).toBe('unknown');
  });

  it('ignores what is no commit name (label text stays bounded)', () => {
    expect(buildCommit({ FERRY_COMMIT: '' }, none)).toBe('unknown');
    expect(buildCommit({ FERRY_COMMIT: 'a"b' }, file('v0.1.0-3-g8c1d2e4'))).toBe('v0.1.0-3-g8c1d2e4');
    expect(buildCommit({ FERRY_COMMIT: 'x'.repeat(65) }, file('not a commit\n'))).toBe('unknown');
  });
});
