import { describe, expect, it } from 'vitest';
import { buildRunnerSecret, ownedByPodPatch, secretEnvVar } from './secret.js';

const base = {
  name: 'ferry-abc-test-x1y2z',
  namespace: 'ferry-runners',
  labels: { 'app.kubernetes.io/managed-by': 'ferry' },
  annotations: { 'ferry.dev/pipeline': 'abc' },
};

describe('buildRunnerSecret', () => {
  it.each([
    ['no secret env: an empty Secret (it marks the prepared runner)', {}, {}],
    [
      'one value per key, base64',
      { FERRY_CLONE_TOKEN: 'glpat-secret', REGISTRY_PASSWORD: 'pä$$' },
      { FERRY_CLONE_TOKEN: 'Z2xwYXQtc2VjcmV0', REGISTRY_PASSWORD: 'cMOkJCQ=' },
    ],
    ['an empty value is kept', { EMPTY: '' }, { EMPTY: '' }],
  ])('%s', (_name, secretEnv, data) => {
    expect(buildRunnerSecret({ ...base, secretEnv })).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: base.name,
        namespace: base.namespace,
        labels: base.labels,
        annotations: base.annotations,
      },
      type: 'Opaque',
      immutable: true,
      data,
    });
  });

  it('labels are copied, not shared', () => {
    const secret = buildRunnerSecret({ ...base, secretEnv: { A: 'b' } });
    expect(secret.metadata?.labels).not.toBe(base.labels);
  });
});

describe('secretEnvVar', () => {
  it('references the key of the same name', () => {
    expect(secretEnvVar('FERRY_CLONE_TOKEN', 's1')).toEqual({
      name: 'FERRY_CLONE_TOKEN',
      valueFrom: { secretKeyRef: { name: 's1', key: 'FERRY_CLONE_TOKEN' } },
    });
  });
});

describe('ownedByPodPatch', () => {
  it.each([
    [
      'a created pod',
      { metadata: { name: 'p', uid: 'u-1' } },
      [
        {
          op: 'add',
          path: '/metadata/ownerReferences',
          value: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u-1', blockOwnerDeletion: false }],
        },
      ],
    ],
    ['a pod without uid', { metadata: { name: 'p' } }, TypeError],
  ])('%s', (_name, pod, expected) => {
    if (expected === TypeError) return expect(() => ownedByPodPatch(pod)).toThrow(TypeError);
    expect(ownedByPodPatch(pod)).toEqual(expected);
  });
});
