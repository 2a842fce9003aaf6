import { runnerPodName } from '@ferry/shared';
import type { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildNamespaceLabels, isBuildRunner, RunnerNamespaces } from './runner-namespaces.js';

const core = {} as CoreV1Api; // never called: only names are asked for here

describe('runner namespaces', () => {
  it('sends build pods to the build namespace and every other pod to the runner namespace', () => {
    const ns = new RunnerNamespaces(core, {
      namespace: 'runners',
      buildNamespace: 'builds',
      buildSandbox: 'restricted',
    });
    expect(ns.forStage('build').name).toBe('builds');
    expect(ns.forStage('test').name).toBe('runners');
    expect(ns.forStage('deploy').name).toBe('runners');
    expect(ns.of(runnerPodName('mxbd1234abcd5678ef', 'build', 'x2b4c'))).toBe('builds');
    expect(ns.of(runnerPodName('mxbd1234abcd5678ef', 'test', 'x2b4c'))).toBe('runners');
    expect(ns.all()).toEqual(['runners', 'builds']);
  });

  it('without a build namespace, everything stays in the runner namespace', () => {
    const ns = new RunnerNamespaces(core, { namespace: 'runners', buildSandbox: 'restricted' });
    expect(ns.of(runnerPodName('mxbd1234abcd5678ef', 'build', 'x2b4c'))).toBe('runners');
    expect(ns.all()).toEqual(['runners']);
  });

  it.each([
    ['ferry-mxbd1234-build-x2b4c', true],
    ['ferry-mxbd1234-test-x2b4c', false],
    ['ferry-build-1-test-x2b4c', false],
    ['ferry-mxbd1234-build-x2b4', false],
  ])('%s is a build runner: %s', (name, build) => {
    expect(isBuildRunner(name)).toBe(build);
  });

  it('for the baseline build sandbox, lowers a restricted enforce level to baseline, and only that', () => {
    const labels = {
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      team: 'a',
    };
    // The restricted sandbox keeps what the operator configured.
    expect(buildNamespaceLabels(labels, 'restricted')).toEqual(labels);
    expect(buildNamespaceLabels(labels, 'baseline')).toEqual({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      team: 'a',
    });
    expect(buildNamespaceLabels({ 'pod-security.kubernetes.io/enforce': 'privileged' }, 'baseline')).toEqual({
      'pod-security.kubernetes.io/enforce': 'privileged',
    });
  });
});
