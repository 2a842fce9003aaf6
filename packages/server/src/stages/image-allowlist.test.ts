import { describe, expect, it } from 'vitest';
import type { StageJob } from '../executors/executor.js';
import { imageNotAllowed } from './image-allowlist.js';

const job = (image: string, services: string[] = [], testJob = true): StageJob => ({
  pipelineId: 'p1',
  stage: 'test',
  attempt: 1,
  project: { id: 1, path: 'g/p', cloneUrl: 'http://git.example/g/p.git' },
  ref: 'test',
  sha: 'a'.repeat(40),
  image,
  script: ['true'],
  env: {},
  secretEnv: {},
  timeoutMs: 60_000,
  services: services.map((s, i) => ({ name: `s${i}`, image: s, env: {}, readyTimeoutMs: 1000 })),
  ...(testJob ? { testJob: { name: 'unit', reports: { junit: null }, coverage: null } } : {}),
});

const allowed = ['registry.vpc:5000/ci/*', 'node:20-*', 'redis:7'];

describe('imageNotAllowed', () => {
  it.each([
    ['an allowed job image', job('registry.vpc:5000/ci/node:20'), undefined],
    ['a Docker Hub spelling of an allowed image', job('docker.io/library/node:20-bookworm'), undefined],
    [
      'allowed job and service images',
      job('node:20-slim', ['redis:7', 'registry.vpc:5000/ci/pg:16']),
      undefined,
    ],
    ['no list: anything', job('evil/miner:latest', ['evil/db']), undefined, []],
    ['build and deploy (the runner image)', job('ferry/runner:1', [], false), undefined],
    [
      'a job image outside the list',
      job('node:22'),
      'FERRY_ERR_EXECUTOR_IMAGE_NOT_ALLOWED: The job unit image node:22 is not allowed here (executor.allowedImages: registry.vpc:5000/ci/*, node:20-*, redis:7); run it from an allowed image, or ask the operators to allow this one.',
    ],
    [
      'a service image outside the list',
      job('node:20-slim', ['redis:7', 'postgres:16']),
      'FERRY_ERR_EXECUTOR_IMAGE_NOT_ALLOWED: The service s1 image postgres:16 is not allowed here (executor.allowedImages: registry.vpc:5000/ci/*, node:20-*, redis:7); run it from an allowed image, or ask the operators to allow this one.',
    ],
    // `*` stays within one path component: a deeper repository is not below ci/.
    [
      'a pattern does not cross a /',
      job('registry.vpc:5000/ci/team/node:20'),
      'FERRY_ERR_EXECUTOR_IMAGE_NOT_ALLOWED',
    ],
  ])('%s', (_what, stageJob, expected, patterns: string[] = allowed) => {
    const problem = imageNotAllowed(stageJob, patterns);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem?.startsWith(expected)).toBe(true);
  });
});
