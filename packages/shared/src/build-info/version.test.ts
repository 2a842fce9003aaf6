import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ferryVersion } from './version.js';

const versionOf = (path: string) =>
  (JSON.parse(readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8')) as { version: string })
    .version;

describe('ferryVersion', () => {
  it('is the version every workspace package and the root carry', () => {
    expect(ferryVersion).toMatch(/^\d+\.\d+\.\d+/);
    for (const path of [
      'package.json',
      'packages/shared/package.json',
      'packages/server/package.json',
      'packages/runner/package.json',
      'packages/web/package.json',
    ]) {
      expect(versionOf(path), path).toBe(ferryVersion);
    }
  });
});
