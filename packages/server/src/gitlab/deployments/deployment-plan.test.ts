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
