import { describe, expect, it } from 'vitest';
import { isLocalRunnerId, localRunnerId } from './runner-id.js';

describe('localRunnerId', () => {
  it.each([
    [{ pipelineId: 'm3x9abcd12ef34', stage: 'test', attempt: 1 }, 'ferry-m3x9abcd12ef34-test-1-0a0b0c0d'],
    [{ pipelineId: 'A/B..C', stage: 'deploy', attempt: 3 }, 'ferry-a-b-c-deploy-3-0a0b0c0d'],
    [{ pipelineId: '../../etc', stage: 'build', attempt: 2 }, 'ferry-etc-build-2-0a0b0c0d'],
    [{ pipelineId: '', stage: '', attempt: 1 }, 'ferry-x-x-1-0a0b0c0d'],
  ])('%j → %s', (job, expected) => {
    const id = localRunnerId(job, '0a0b0c0d');
    expect(id).toBe(expected);
    expect(isLocalRunnerId(id)).toBe(true);
  });

  it.each([
    '..',
    '../ferry-x-test-1-0a0b0c0d',
    'ferry-x-test-1-0A0B0C0D',
    'other',
    'ferry-x/y-test-1-0a0b0c0d',
  ])('does not take %j for a runner directory', (name) => {
    expect(isLocalRunnerId(name)).toBe(false);
  });
});
