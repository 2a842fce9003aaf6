import type { DeploymentManifest } from '@ferry/shared';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { keepImmutableClaimFields } from './claim-fields.js';
import { previousRelease } from './previous-release.js';
import { newReplicaSet, replicaSetPodSelector, rollbackTarget } from './replica-sets.js';
import { rollbackManifest } from './rollback-manifest.js';

const rs = (revision: number, image: string, commit?: string): V1ReplicaSet => ({
  metadata: {
    name: `web-${revision}`,
    annotations: { 'deployment.kubernetes.io/revision': String(revision) },
    labels: { 'pod-template-hash': `h${revision}` },
  },
  spec: {
    selector: { matchLabels: {} },
    template: {
      metadata: {
        labels: { app: 'web', 'pod-template-hash': `h${revision}` },
        annotations: commit ? { 'ferry.dev/commit': commit } : {},
      },
      spec: { containers: [{ name: 'web', image, terminationMessagePath: '/dev/termination-log' }] },
    },
  },
});
const deployment = (
  revision: number,
  image: string,
  annotations: Record<string, string> = {},
): V1Deployment => ({
  metadata: {
    name: 'web',
    annotations: { 'deployment.kubernetes.io/revision': String(revision), ...annotations },
  },
  spec: { selector: { matchLabels: {} }, template: { spec: { containers: [{ name: 'web', image }] } } },
});

describe('rollbackTarget', () => {
  const sets = [rs(4, 'bad'), rs(3, 'v3'), rs(2, 'v2'), rs(1, 'bad')];
  it.each([
    ['the newest older revision', undefined, 'web-3'],
    ['the previous image when recorded', 'v2', 'web-2'],
    ['the newest older when the recorded image is gone', 'v0', 'web-3'],
  ])('%s', (_name, previous, expected) => {
    expect(rollbackTarget(deployment(4, 'bad'), sets, previous, 'bad')?.metadata?.name).toBe(expected);
  });

  it('has none on a first deploy, and never the failed image', () => {
    expect(rollbackTarget(deployment(1, 'bad'), [rs(1, 'bad')], undefined, 'bad')).toBeUndefined();
    expect(
      rollbackTarget(deployment(2, 'bad'), [rs(2, 'bad'), rs(1, 'bad')], undefined, 'bad'),
    ).toBeUndefined();
  });
});

describe('newReplicaSet', () => {
  const sets = [rs(3, 'v3'), rs(2, 'v2')];
  const observed = (d: V1Deployment, generation: number, seen: number): V1Deployment => ({
    ...d,
    metadata: { ...d.metadata, generation },
    status: { observedGeneration: seen },
  });
  it.each<[string, V1Deployment, string | undefined]>([
    ['the revision the controller has seen', observed(deployment(3, 'v3'), 4, 4), 'web-3'],
    ['none before the controller saw the latest generation', observed(deployment(2, 'v2'), 5, 4), undefined],
    ['none while no ReplicaSet has the revision (no guess)', observed(deployment(4, 'v4'), 6, 6), undefined],
    ['none without a revision', observed(deployment(0, 'v4'), 1, 1), undefined],
  ])('%s', (_name, d, expected) => {
    expect(newReplicaSet(d, sets)?.metadata?.name).toBe(expected);
  });

  it('selects exactly its pods: selector and template hash', () => {
    const set = { ...rs(3, 'v3'), spec: { selector: { matchLabels: { app: 'web', track: 'stable' } } } };
    expect(replicaSetPodSelector(set)).toBe('app=web,track=stable,pod-template-hash=h3');
  });
});

describe('rollbackManifest', () => {
  const failed = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'ns',
      annotations: {
        'ferry.dev/commit': 'bbb',
        'ferry.dev/image': 'bad',
        'ferry.dev/previous-image': 'v2',
        'ferry.dev/pipeline': 'p9',
      },
    },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: {}, annotations: {} },
        spec: { containers: [{ name: 'web', image: 'bad' }] },
      },
    },
  } as unknown as DeploymentManifest;

  it('takes the old template without the controller hash and points the annotations at it', () => {
    const plan = rollbackManifest(failed, rs(2, 'v2', 'aaa'), 'bad');
    expect(plan).toMatchObject({ image: 'v2', commit: 'aaa' });
    expect(plan.manifest.spec.template.metadata.labels).toEqual({ app: 'web' });
    expect(plan.manifest.spec.template.spec.containers[0]?.image).toBe('v2');
    expect(plan.manifest.spec.replicas).toBe(2);
    expect(plan.manifest.metadata.annotations).toEqual({
      'ferry.dev/commit': 'aaa',
      'ferry.dev/image': 'v2',
      'ferry.dev/pipeline': 'p9',
      'ferry.dev/rolled-back-from': 'bad',
    });
    expect(failed.metadata.annotations?.['ferry.dev/commit']).toBe('bbb');
  });
});

describe('previousRelease', () => {
  it.each<[string, V1Deployment | undefined, string, unknown]>([
    ['first deploy', undefined, 'new', null],
    [
      'a new image',
      deployment(1, 'old', { 'ferry.dev/commit': 'c1' }),
      'new',
      { image: 'old', commit: 'c1' },
    ],
    [
      'the same image again keeps the recorded previous',
      deployment(2, 'same', { 'ferry.dev/previous-image': 'old', 'ferry.dev/previous-commit': 'c1' }),
      'same',
      { image: 'old', commit: 'c1' },
    ],
    ['the same image, nothing recorded', deployment(1, 'same'), 'same', null],
  ])('%s', (_name, current, image, expected) => {
    expect(previousRelease(current, 'web', image)).toEqual(expected);
  });
});

describe('keepImmutableClaimFields', () => {
  const desired = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'web-data' },
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
  } as const;
  it.each([
    ['new claim', undefined, ['ReadWriteMany'], undefined, '1Gi', 0],
    [
      'defaulted class is not claimed',
      {
        spec: {
          accessModes: ['ReadWriteMany'],
          storageClassName: 'standard',
          resources: { requests: { storage: '1Gi' } },
        },
      },
      ['ReadWriteMany'],
      undefined,
      '1Gi',
      0,
    ],
    [
      'access modes kept',
      { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
      ['ReadWriteOnce'],
      undefined,
      '1Gi',
      1,
    ],
    [
      'no shrinking',
      { spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '2Gi' } } } },
      ['ReadWriteMany'],
      undefined,
      '2Gi',
      1,
    ],
    [
      'growing is applied',
      { spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '512Mi' } } } },
      ['ReadWriteMany'],
      undefined,
      '1Gi',
      0,
    ],
  ])('%s', (_name, existing, modes, cls, size, notes) => {
    const out = keepImmutableClaimFields(structuredClone(desired) as never, existing);
    expect(out.claim.spec.accessModes).toEqual(modes);
    expect(out.claim.spec.storageClassName).toBe(cls);
    expect(out.claim.spec.resources.requests.storage).toBe(size);
    expect(out.notes).toHaveLength(notes);
  });

  it('keeps a differing class the spec names', () => {
    const out = keepImmutableClaimFields(
      {
        ...desired,
        spec: { ...desired.spec, accessModes: ['ReadWriteMany'], storageClassName: 'nas' },
      } as never,
      {
        spec: { storageClassName: 'ssd' },
      },
    );
    expect(out.claim.spec.storageClassName).toBe('ssd');
    expect(out.notes[0]).toContain('keeps its storage class ssd');
  });
});
