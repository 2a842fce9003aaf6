import { describe, expect, it } from 'vitest';
import { mergeSpecs, mergeValues } from './merge.js';
import type { FerrySpec } from './schema.js';

describe('mergeValues', () => {
  it.each([
    ['maps merge key by key', { a: 1, b: { c: 1, d: 2 } }, { b: { d: 3 } }, { a: 1, b: { c: 1, d: 3 } }],
    ['lists replace', { a: [1, 2, 3] }, { a: [9] }, { a: [9] }],
    ['scalars replace', { a: 'x' }, { a: 'y' }, { a: 'y' }],
    ['null removes', { a: 1, b: 2 }, { a: null }, { b: 2 }],
    ['null inside a new map is dropped', {}, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    ['a map replaces a scalar', { a: 1 }, { a: { b: 1 } }, { a: { b: 1 } }],
    ['a list replaces a map', { a: { b: 1 } }, { a: [1] }, { a: [1] }],
    ['undefined keeps the base', { a: 1 }, { a: undefined }, { a: 1 }],
  ])('%s', (_name, base, override, expected) => {
    expect(mergeValues(base, override)).toEqual(expected);
  });

  it('does not change its inputs', () => {
    const base = { a: { b: 1 } };
    mergeValues(base, { a: { b: 2 } });
    expect(base).toEqual({ a: { b: 1 } });
  });
});

describe('mergeSpecs', () => {
  const base: FerrySpec = {
    stages: {
      deploy: { port: 8080, probes: { readiness: { tcp: true } }, envFrom: [{ secretRef: 'a' }] },
    },
    environments: {
      test: { branch: 'test', namespace: 'g-test', replicas: 1 },
      prod: { branch: 'master', namespace: 'g-prod', canary: { steps: [10, 100], pause: '5m' } },
    },
  };

  it('merges environments and stage settings', () => {
    const merged = mergeSpecs(base, {
      stages: { deploy: { port: 3000 } },
      environments: { prod: { replicas: 4 }, qa: { branch: 'qa', namespace: 'g-qa' } },
    });
    expect(merged.stages?.deploy?.port).toBe(3000);
    expect(merged.stages?.deploy?.envFrom).toEqual([{ secretRef: 'a' }]);
    expect(merged.environments?.prod).toMatchObject({ branch: 'master', replicas: 4 });
    expect(Object.keys(merged.environments ?? {})).toEqual(['test', 'prod', 'qa']);
  });

  it('removes an environment or a setting with null', () => {
    const merged = mergeSpecs(base, { environments: { test: null, prod: { canary: null } } });
    expect(merged.environments?.test).toBeUndefined();
    expect(merged.environments?.prod).toEqual({ branch: 'master', namespace: 'g-prod' });
  });

  it('replaces a probe whole, so http does not mix with tcp', () => {
    const merged = mergeSpecs(base, { stages: { deploy: { probes: { readiness: { http: '/healthz' } } } } });
    expect(merged.stages?.deploy?.probes?.readiness).toEqual({ http: '/healthz' });
  });

  it('replaces a canary list with a map and back', () => {
    const merged = mergeSpecs(base, { environments: { prod: { canary: [50, 100] } } });
    expect(merged.environments?.prod?.canary).toEqual([50, 100]);
  });
});
