import { describe, expect, it } from 'vitest';
import { readAllowlist, readBuildJob, readRegistry, withoutCredentials } from './build-env.js';
import { imageLabels } from './image-labels.js';
import { imageTags } from './tags.js';

const plan = {
  environment: 'test',
  namespace: 'payments-test',
  service: 'api',
  sha: 'a'.repeat(40),
  image: { repository: 'payments/api', tag: 'a'.repeat(40) },
  build: { dockerfile: 'Dockerfile', context: '.', args: {}, target: null, timeoutMs: 60_000 },
  deploy: { port: 8080 },
  names: { deployment: 'api' },
};

describe('readBuildJob', () => {
  const env = {
    FERRY_PLAN: JSON.stringify(plan),
    FERRY_REGISTRY: 'registry.vpc:5000',
    FERRY_REGISTRY_USER: 'ci',
    FERRY_REGISTRY_PASSWORD: 'pw',
    FERRY_PIPELINE_ID: 'p1',
    FERRY_SOURCE_URL: 'https://oauth2:tok@gitlab.example.com/payments/api.git',
  };

  it('reads the whole job, dropping credentials from the source URL', () => {
    const job = readBuildJob(env);
    expect(job).toMatchObject({
      registry: { host: 'registry.vpc:5000', username: 'ci', password: 'pw', scheme: 'https' },
      allowedBaseImages: null,
      pipelineId: 'p1',
      sourceUrl: 'https://gitlab.example.com/payments/api.git',
    });
  });

  it.each([
    [{ FERRY_PLAN: undefined }, 'FERRY_PLAN is not set'],
    [{ FERRY_PLAN: '{' }, 'FERRY_PLAN is not JSON'],
    [
      { FERRY_PLAN: '{}' },
      'FERRY_PLAN is not a resolved plan (missing: environment, namespace, service, sha, image, build, deploy, names)',
    ],
    [{ FERRY_REGISTRY: 'https://registry.vpc' }, 'FERRY_REGISTRY must be host[:port]'],
    [{ FERRY_REGISTRY: '' }, 'FERRY_REGISTRY is not set'],
    [{ FERRY_ALLOWED_BASE_IMAGES: '"node:*"' }, 'FERRY_ALLOWED_BASE_IMAGES must be a JSON array'],
    [{ FERRY_PIPELINE_ID: '' }, 'FERRY_PIPELINE_ID is not set'],
  ])('refuses %j', (over, problem) => {
    const job = readBuildJob({ ...env, ...over });
    expect('problem' in job && job.problem).toContain(problem);
  });

  it('reads the build cache directory, its slots and cap; none without a directory', () => {
    expect(readBuildJob(env)).toMatchObject({ storageCache: null });
    const cache = {
      FERRY_BUILD_CACHE_DIR: '/c',
      FERRY_BUILD_CACHE_SLOTS: '2',
      FERRY_BUILD_CACHE_MAX_BYTES: '1000',
    };
    expect(readBuildJob({ ...env, ...cache })).toMatchObject({
      storageCache: { dir: '/c', slots: 2, maxBytes: 1000 },
    });
    for (const [over, problem] of [
      [{ FERRY_BUILD_CACHE_DIR: 'c' }, 'FERRY_BUILD_CACHE_DIR must be an absolute path'],
      [{ FERRY_BUILD_CACHE_SLOTS: '0' }, 'FERRY_BUILD_CACHE_SLOTS must be a whole number from 1 to 16'],
      [{ FERRY_BUILD_CACHE_MAX_BYTES: 'x' }, 'FERRY_BUILD_CACHE_MAX_BYTES must be a positive number'],
    ] as const) {
      const job = readBuildJob({ ...env, ...cache, ...over });
      expect('problem' in job && job.problem).toContain(problem);
    }
  });

  it.each([
    ['127.0.0.1:5000', undefined, 'http'],
    ['localhost:5000', undefined, 'http'],
    ['registry.vpc:5000', undefined, 'https'],
    ['registry.vpc:5000', 'true', 'http'],
    ['127.0.0.1:5000', 'false', 'https'],
  ])('registry %s (insecure %s) → %s', (host, insecure, scheme) => {
    expect(readRegistry({ FERRY_REGISTRY: host, FERRY_REGISTRY_INSECURE: insecure })).toMatchObject({
      scheme,
    });
  });

  it('reads the allowlist', () => {
    expect(readAllowlist('["a/*","b"]')).toEqual(['a/*', 'b']);
    expect(readAllowlist('[]')).toEqual([]);
    expect(readAllowlist(undefined)).toBeNull();
    expect(typeof readAllowlist('[1]')).toBe('string');
  });

  it('strips credentials', () => {
    expect(withoutCredentials('http://u:p@h/x.git')).toBe('http://h/x.git');
    expect(withoutCredentials('')).toBe('');
  });
});

describe('tags and labels', () => {
  it('tags the commit (immutable) and the environment (moving)', () => {
    expect(imageTags('127.0.0.1:5000', plan)).toEqual({
      repository: '127.0.0.1:5000/payments/api',
      immutable: `127.0.0.1:5000/payments/api:${'a'.repeat(40)}`,
      moving: '127.0.0.1:5000/payments/api:test',
      immutableTag: 'a'.repeat(40),
      movingTag: 'test',
    });
  });

  it('labels revision, source and pipeline', () => {
    expect(imageLabels('abc', 'https://g/x.git', 'p1')).toEqual({
      'org.opencontainers.image.revision': 'abc',
      'org.opencontainers.image.source': 'https://g/x.git',
      'dev.ferry.pipeline': 'p1',
    });
    expect(Object.keys(imageLabels('abc', '', 'p1'))).not.toContain('org.opencontainers.image.source');
  });
});
