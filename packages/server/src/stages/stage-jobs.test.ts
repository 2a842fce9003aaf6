import { readFileSync } from 'node:fs';
import { defaultTemplatePath, loadSpec, type PipelineRecord, RunnerEnv, resolveSpec } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { buildStageJob } from './stage-jobs.js';

const pipeline = {
  id: 'p0000042',
  project: { id: 7, path: 'shop/orders', webUrl: 'https://gitlab.test/shop/orders', cloneUrl: 'x' },
  environment: 'test',
  ref: 'test',
  sha: 'e'.repeat(40),
  user: { username: 'anna', name: 'Anna' },
  image: {
    reference: 'registry.test/shop/orders@sha256:' + 'a'.repeat(64),
    digest: 'sha256:' + 'a'.repeat(64),
    tags: [],
  },
} as unknown as PipelineRecord;

const secrets = {
  cloneToken: 'clone-token-value',
  password: 'registry-password-value',
  kubeconfig: 'apiVersion: v1\nkind: Config\n# kubeconfig-value',
};

function job(stage: 'test' | 'build' | 'deploy') {
  const loaded = loadSpec({ text: readFileSync(defaultTemplatePath(), 'utf8'), file: 'default.yml' });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const plan = resolveSpec(loaded.spec, { env: 'test', sha: pipeline.sha, project: 'shop/orders' });
  return buildStageJob(pipeline, plan, stage, 1, {
    runnerImage: 'ferry/runner:test',
    allowedBaseImages: [],
    cloneToken: secrets.cloneToken,
    registry: { endpoint: 'registry.test', username: 'ferry', password: secrets.password },
    kube: { kubeconfig: secrets.kubeconfig },
  });
}

describe('each stage gets exactly the secrets it needs (issue 12)', () => {
  it.each([
    // The test stage runs the project's own script: nothing of Ferry's but the clone token.
    ['test', [RunnerEnv.cloneToken]],
    ['build', [RunnerEnv.cloneToken, RunnerEnv.registryPassword]],
    ['deploy', [RunnerEnv.registryPassword, RunnerEnv.kubeconfig]],
  ] as const)('%s receives %j', (stage, names) => {
    const built = job(stage);
    expect(Object.keys(built.secretEnv).sort()).toEqual([...names].sort());
  });

  it.each(['test', 'build', 'deploy'] as const)(
    'no secret value of another stage reaches %s in its plain env',
    (stage) => {
      const built = job(stage);
      const plain = JSON.stringify(built.env) + JSON.stringify(built.script);
      for (const value of Object.values(secrets)) expect(plain).not.toContain(value);
      if (stage === 'test') {
        expect(JSON.stringify(built.secretEnv)).not.toContain(secrets.password);
        expect(JSON.stringify(built.secretEnv)).not.toContain('kubeconfig-value');
      }
    },
  );
});
