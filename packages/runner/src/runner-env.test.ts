import { RunnerEnv } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { cloneEnv, commandEnv, stageVariables } from './runner-env.js';

const job = {
  pipelineId: 'p1',
  stage: 'test',
  attempt: 2,
  project: { id: 7, path: 'group/app', cloneUrl: 'https://h/group/app.git' },
  ref: 'feature/$(rm -rf /)',
  sha: 'a'.repeat(40),
  env: { NODE_ENV: 'test', FERRY_STAGE: 'overridden-by-spec' },
  secretEnv: { API_KEY: 'k-123456', [RunnerEnv.cloneToken]: 'clone-tok' },
};

describe('runner environment', () => {
  it('stage variables carry data as values, never as script', () => {
    expect(stageVariables(job, '/ws')).toEqual({
      CI: 'true',
      FERRY_PIPELINE_ID: 'p1',
      FERRY_STAGE: 'test',
      FERRY_ATTEMPT: '2',
      FERRY_PROJECT_ID: '7',
      FERRY_PROJECT_PATH: 'group/app',
      FERRY_REF: 'feature/$(rm -rf /)',
      FERRY_SHA: 'a'.repeat(40),
      FERRY_WORKSPACE: '/ws',
    });
  });

  it('commands see the spec env and secrets, never the clone token', () => {
    const env = commandEnv(job, '/ws');
    expect(env.NODE_ENV).toBe('test');
    expect(env.API_KEY).toBe('k-123456');
    expect(env.FERRY_STAGE).toBe('overridden-by-spec');
    expect(env).not.toHaveProperty(RunnerEnv.cloneToken);
    expect(Object.values(env)).not.toContain('clone-tok');
  });

  it('the clone step sees only what the clone needs', () => {
    expect(cloneEnv(job)).toEqual({
      FERRY_CLONE_URL: 'https://h/group/app.git',
      FERRY_SHA: 'a'.repeat(40),
      FERRY_REF: 'feature/$(rm -rf /)',
      FERRY_CLONE_TOKEN: 'clone-tok',
    });
    expect(cloneEnv({ ...job, secretEnv: {} })).not.toHaveProperty(RunnerEnv.cloneToken);
  });
});
