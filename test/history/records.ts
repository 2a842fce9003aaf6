import type { PipelineRecord, StageRecord } from '@ferry/shared';

let counter = 0;

/** A finished pipeline record as Ferry stores it (fields from packages/shared/src/domain/pipeline.ts). */
export function finishedPipeline(overrides: Partial<PipelineRecord> = {}): PipelineRecord {
  counter += 1;
  const at = overrides.finishedAt ?? new Date(Date.UTC(2026, 0, 1, 0, counter)).toISOString();
  const stage = (name: StageRecord['name']): StageRecord => ({
    name,
    status: 'success',
    attempts: 1,
    startedAt: at,
    finishedAt: at,
  });
  return {
    id: `p${String(counter).padStart(6, '0')}`,
    project: {
      id: 42,
      path: 'shop/orders',
      webUrl: 'http://gitlab.test/shop/orders',
      cloneUrl: 'http://gitlab.test/shop/orders.git',
    },
    environment: 'staging',
    ref: 'staging',
    sha: `${counter}`.padStart(40, 'a'),
    trigger: 'merge',
    user: { username: 'alice', name: 'Alice' },
    commitTitle: 'Ship it',
    status: 'success',
    stages: [stage('test'), stage('build'), stage('deploy')],
    priority: 10,
    lane: '42:staging',
    image: {
      reference: `registry.test/shop/orders@sha256:${'d'.repeat(64)}`,
      digest: `sha256:${'d'.repeat(64)}`,
      tags: ['x'],
    },
    release: { deployed: 'shop-orders', namespace: 'shop-staging', revision: '3' },
    manifests: [
      { kind: 'Deployment', name: 'orders', namespace: 'shop-staging', yaml: 'kind: Deployment\n' },
    ],
    approval: { required: true, approvedBy: 'bob', approvedAt: at },
    createdAt: at,
    queuedAt: at,
    startedAt: at,
    finishedAt: at,
    ...overrides,
  };
}
