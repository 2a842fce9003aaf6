import { readFileSync } from 'node:fs';
import { readAuthFile } from '@ferry/runner';
import {
  defaultTemplatePath,
  type FerryConfig,
  loadSpec,
  type PipelineRecord,
  resolveSpec,
} from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { builderFor } from './builder-choice.js';
import { buildStageJob } from './stage-jobs.js';

const pipeline = {
  id: 'p0000042',
  project: { id: 7, path: 'shop/orders', webUrl: 'https://gitlab.test/shop/orders', cloneUrl: 'x' },
  environment: 'staging',
  ref: 'staging',
  sha: 'e'.repeat(40),
  user: { username: 'anna', name: 'Anna' },
} as unknown as PipelineRecord;
const template = { text: readFileSync(defaultTemplatePath(), 'utf8'), file: 'pipelines/default.yml' };
const loaded = loadSpec(template, { text: '', file: '.ferry.yml' });
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const plan = resolveSpec(loaded.spec, { env: 'staging', sha: pipeline.sha, project: 'shop/orders' });
const registry = { endpoint: 'registry.vpc:5000', username: 'ferry', password: 's3cret-pw' };

describe('the build job with buildah', () => {
  const job = buildStageJob(pipeline, plan, 'build', 1, {
    runnerImage: 'ferry-runner:test',
    allowedBaseImages: [],
    registry,
    builder: 'buildah',
    cloneToken: 'glpat-x',
  });

  it('carries the push credential only as the auth file to mount, never in the environment', () => {
    expect(JSON.stringify({ env: job.env, secretEnv: job.secretEnv })).not.toContain('s3cret-pw');
    expect(job.env).toMatchObject({
      FERRY_BUILDER: 'buildah',
      REGISTRY_AUTH_FILE: '/run/ferry/registry/auth.json',
    });
    expect(job.secretEnv).toEqual({ FERRY_CLONE_TOKEN: 'glpat-x' });
    expect(readAuthFile(job.buildah?.authJson ?? '', 'registry.vpc:5000')).toEqual({
      username: 'ferry',
      password: 's3cret-pw',
    });
    expect(job.env.DOCKER_HOST).toBeUndefined();
    expect(job.dockerSocket).toBeUndefined();
  });

  it('leaves the engine build and the deploy as they were', () => {
    const engine = buildStageJob(pipeline, plan, 'build', 1, {
      runnerImage: 'r',
      allowedBaseImages: [],
      registry,
      builder: 'engine',
      dockerHost: 'tcp://d:2376',
    });
    expect(engine.secretEnv).toEqual({ FERRY_REGISTRY_PASSWORD: 's3cret-pw' });
    expect(engine.env.DOCKER_HOST).toBe('tcp://d:2376');
    expect(engine.buildah).toBeUndefined();
    const deploy = buildStageJob(pipeline, plan, 'deploy', 1, {
      runnerImage: 'r',
      allowedBaseImages: [],
      registry,
      builder: 'buildah',
    });
    expect(deploy.buildah).toBeUndefined();
  });
});

describe('builderFor', () => {
  const config = (kind: string, build: Partial<FerryConfig['build']>) =>
    ({ executor: { kind }, build: { allowedBaseImages: [], ...build } }) as unknown as FerryConfig;
  it.each([
    ['kubernetes', {}, 'buildah'],
    ['kubernetes', { dockerHost: 'tcp://d:2376' }, 'engine'],
    ['kubernetes', { dockerHost: 'tcp://d:2376', builder: 'buildah' as const }, 'buildah'],
    ['docker', {}, 'engine'],
    ['docker', { builder: 'buildah' as const }, 'buildah'],
    ['local', {}, 'engine'],
  ])('%s %j → %s', (kind, build, expected) => {
    expect(builderFor(config(kind, build))).toBe(expected);
  });
});
