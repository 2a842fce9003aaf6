import type { PipelineRecord } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import type { Transition } from '../../reporting/reporter.js';
import { deploymentItemsFor, externalUrlOf } from './deployment-plan.js';

const sha = 'a'.repeat(40);
const pipeline = (patch: Partial<PipelineRecord> = {}): PipelineRecord => ({
  id: 'p1',
  project: { id: 7, path: 'shop/order', webUrl: '', cloneUrl: '' },
  environment: 'test',
  ref: 'test',
  sha,
  trigger: 'push',
  user: { username: 'u', name: 'U' },
  commitTitle: 't',
  status: 'running',
  stages: [],
  priority: 10,
  lane: '7:test',
  createdAt: '',
  queuedAt: '',
  ...patch,
});
const stage = (name: 'test' | 'deploy', status: Transition['status']): Transition =>
  ({ id: '1-0', kind: 'stage', pipelineId: 'p1', stage: name, status, at: '' }) as Transition;

const canary = (step: number, status: 'running' | 'promoted' | 'aborted'): Transition => ({
  id: '2-0',
  kind: 'canary',
  pipelineId: 'p1',
  step,
  of: 3,
  percent: step * 10,
  status,
  at: '',
});
const steps = (by: string): Partial<PipelineRecord> => ({
  canarySteps: [{ step: 2, of: 3, percent: 20, state: 'aborted', by, at: '' }],
});

describe('deploymentItemsFor', () => {
  it.each([
    ['deploy running', stage('deploy', 'running'), pipeline(), [['start', 'deploy', sha, undefined]]],
    ['deploy success', stage('deploy', 'success'), pipeline(), [['finish', 'deploy', sha, 'success']]],
    ['deploy canceled', stage('deploy', 'canceled'), pipeline(), [['finish', 'deploy', sha, 'canceled']]],
    [
      'a rollback pipeline',
      stage('deploy', 'running'),
      pipeline({ rollbackOf: 'p0' }),
      [['start', 'rollback', sha, undefined]],
    ],
    [
      'a failed rollout rolled back to a commit',
      stage('deploy', 'failed'),
      pipeline({ release: { rolledBackTo: 'b'.repeat(40) } }),
      [
        ['finish', 'deploy', sha, 'failed'],
        ['finish', 'rollback', 'b'.repeat(40), 'success'],
      ],
    ],
    ['canary step running', canary(1, 'running'), pipeline(), [['start', 'canary', sha, undefined]]],
    ['canary step promoted', canary(1, 'promoted'), pipeline(), [['finish', 'canary', sha, 'success']]],
    [
      'canary step aborted by a decision',
      canary(2, 'aborted'),
      pipeline(steps('ferry.dev/canary-decision: abort')),
      [['finish', 'canary', sha, 'canceled']],
    ],
    [
      'canary step aborted by its pods',
      canary(2, 'aborted'),
      pipeline(steps('only 1 of 2 canary pods are ready')),
      [['finish', 'canary', sha, 'failed']],
    ],
    ['the test stage', stage('test', 'running'), pipeline(), []],
    ['a pending deploy', stage('deploy', 'pending'), pipeline(), []],
  ])('%s', (_name, transition, record, expected) => {
    expect(
      deploymentItemsFor(transition, record).map((i) => [
        i.op,
        i.kind,
        i.sha,
        'status' in i ? i.status : undefined,
      ]),
    ).toEqual(expected);
  });

  it('puts canary steps in the environment folder <env>/canary, each step its own deployment', () => {
    const [item] = deploymentItemsFor(canary(2, 'running'), pipeline());
    expect(item).toMatchObject({ environment: 'test/canary', step: 2, kind: 'canary' });
  });
});

describe('externalUrlOf', () => {
  const ingress = (yaml: string) => pipeline({ manifests: [{ kind: 'Ingress', name: 'x', yaml }] });
  it('takes the first rule host, https with TLS', () => {
    expect(externalUrlOf(ingress('spec:\n  rules:\n    - host: order.test.example.com\n'))).toBe(
      'http://order.test.example.com',
    );
    expect(
      externalUrlOf(ingress('spec:\n  tls:\n    - hosts: [a]\n  rules:\n    - host: "a.example.com"\n')),
    ).toBe('https://a.example.com');
  });
  it('has none without an ingress or with a wildcard host', () => {
    expect(externalUrlOf(pipeline())).toBeUndefined();
    expect(externalUrlOf(ingress('spec:\n  rules:\n    - host: "*.example.com"\n'))).toBeUndefined();
  });
});
