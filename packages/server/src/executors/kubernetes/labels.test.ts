import { describe, expect, it } from 'vitest';
import {
  labelValue,
  MANAGED_BY_LABEL,
  REF_ANNOTATION,
  RunnerKeys,
  runnerAnnotations,
  runnerInfoFrom,
  runnerLabels,
  runnerSelector,
} from './labels.js';

const valid = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('labelValue', () => {
  it.each([
    ['already valid', 'mb3k9x2a1b2c3d4e5f', 'mb3k9x2a1b2c3d4e5f'],
    ['empty stays empty', '', ''],
    ['a project path', 'group/sub/app', 'group-sub-app'],
    ['ends that are not alphanumeric', '_-app.', 'app'],
    ['unicode and spaces', 'grüne app', 'gr-ne-app'],
    ['only invalid characters', '///', ''],
    ['exactly 63', 'a'.repeat(63), 'a'.repeat(63)],
  ])('%s: %j → %j', (_name, input, expected) => {
    expect(labelValue(input)).toBe(expected);
  });

  it.each([
    ['64 characters', 'a'.repeat(64)],
    ['a deep project path', `${'group/'.repeat(20)}app`],
    ['a cut that ends on a dash', `${'a'.repeat(53)}-----${'b'.repeat(20)}`],
  ])('%s is cut to ≤63 valid characters with a hash', (_name, input) => {
    const out = labelValue(input);
    expect(out.length).toBeLessThanOrEqual(63);
    expect(out).toMatch(valid);
    expect(out).toMatch(/-[0-9a-f]{8}$/);
  });

  it('long values that share a prefix stay apart', () => {
    const base = 'x'.repeat(70);
    expect(labelValue(`${base}1`)).not.toBe(labelValue(`${base}2`));
  });
});

const job = {
  pipelineId: 'mb3k9x2a1b2c3d4e5f',
  stage: 'test' as const,
  attempt: 2,
  project: { id: 7, path: 'platform/payments/api', cloneUrl: 'http://git/x.git' },
  sha: 'a'.repeat(40),
  ref: 'feature/ünïcode branch',
};

describe('runnerLabels and runnerAnnotations', () => {
  it('labels: managed-by plus sanitised identity', () => {
    expect(runnerLabels(job)).toEqual({
      [MANAGED_BY_LABEL]: 'ferry',
      [RunnerKeys.pipeline]: 'mb3k9x2a1b2c3d4e5f',
      [RunnerKeys.stage]: 'test',
      [RunnerKeys.project]: 'platform-payments-api',
      [RunnerKeys.sha]: 'a'.repeat(40),
      [RunnerKeys.attempt]: '2',
    });
  });

  it('annotations: the full values, and the ref', () => {
    expect(runnerAnnotations(job)).toEqual({
      [RunnerKeys.pipeline]: 'mb3k9x2a1b2c3d4e5f',
      [RunnerKeys.stage]: 'test',
      [RunnerKeys.project]: 'platform/payments/api',
      [RunnerKeys.sha]: 'a'.repeat(40),
      [RunnerKeys.attempt]: '2',
      [REF_ANNOTATION]: 'feature/ünïcode branch',
    });
  });
});

describe('runnerInfoFrom', () => {
  const created = '2026-11-22T10:00:00Z';
  it.each([
    ['not a runner', { name: 'x', labels: { app: 'y' } }, undefined],
    ['no name', { labels: runnerLabels(job) }, undefined],
    [
      'a runner: annotations win over labels',
      {
        name: 'ferry-mb3k9x2a1b2c-test-abcde',
        labels: { ...runnerLabels(job), [RunnerKeys.pipeline]: 'cut' },
        annotations: runnerAnnotations(job),
        creationTimestamp: new Date(created),
      },
      {
        id: 'ferry-mb3k9x2a1b2c-test-abcde',
        pipelineId: job.pipelineId,
        stage: 'test',
        createdAt: new Date(created),
      },
    ],
    [
      'labels only (annotations stripped)',
      { name: 'r', labels: runnerLabels(job) },
      { id: 'r', pipelineId: job.pipelineId, stage: 'test' },
    ],
  ])('%s', (_name, meta, expected) => {
    expect(runnerInfoFrom(meta)).toEqual(expected);
  });
});

describe('runnerSelector', () => {
  it("selects Ferry runners, and only the owner's when there is one", () => {
    expect(runnerSelector()).toBe('app.kubernetes.io/managed-by=ferry');
    expect(runnerSelector('ferry:prod')).toBe(
      'app.kubernetes.io/managed-by=ferry,ferry.dev/owner=ferry-prod',
    );
  });
});
