import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { defaultRunnerImage, ferryVersion } from './version.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const versionOf = (path: string) =>
  (JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as { version: string }).version;

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

describe('defaultRunnerImage', () => {
  it('is the tag scripts/lib/runner-image.sh --production builds', () => {
    const { RUNNER_TAG: _tag, RUNNER_BASE: _base, ...env } = process.env;
    const tag = execFileSync('bash', ['scripts/lib/runner-image.sh', '--production', '--print-tag'], {
      cwd: root,
      env,
      encoding: 'utf8',
    }).trim();
    expect(tag).toBe(`ferry/runner:${ferryVersion}`);
    expect(defaultRunnerImage).toBe(tag);
  });

  it('is what both executors run when the configuration names no runner image', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.executor.docker.runnerImage).toBe(defaultRunnerImage);
    expect(config.executor.kubernetes.runnerImage).toBe(defaultRunnerImage);
  });
});
