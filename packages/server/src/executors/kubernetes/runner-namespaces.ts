import type { CoreV1Api } from '@kubernetes/client-node';
import { RunnerNamespace } from './runner-namespace.js';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

/**
 * The labels of a build namespace Ferry creates: the configured ones; for the `baseline` build
 * sandbox a `restricted` enforce level lowered to `baseline` (what that build pod needs, and no more). Pure.
 */
export function buildNamespaceLabels(
  labels: Readonly<Record<string, string>>,
  sandbox: 'restricted' | 'baseline',
): Record<string, string> {
  return sandbox === 'baseline' && labels[ENFORCE] === 'restricted'
    ? { ...labels, [ENFORCE]: 'baseline' }
    : { ...labels };
}

/** Whether a runner pod (by its name, `ferry-<pipeline>-<stage>-<suffix>`) is a build's. Pure. */
export function isBuildRunner(name: string): boolean {
  return /-build-[a-z0-9]{5}$/.test(name);
}

/**
 * The namespaces runner pods go to: the runner namespace, and the build namespace when one is
 * configured (`executor.kubernetes.buildNamespace`). A runner's namespace follows from its name, so
 * a restarted Ferry (or the reaper) finds it without any state.
 */
export class RunnerNamespaces {
  readonly runners: RunnerNamespace;
  readonly builds: RunnerNamespace;

  constructor(
    core: CoreV1Api,
    config: {
      namespace: string;
      buildNamespace?: string | undefined;
      buildSandbox: 'restricted' | 'baseline';
    },
    labels: Readonly<Record<string, string>> = {},
  ) {
    this.runners = new RunnerNamespace(core, config.namespace, labels);
    this.builds =
      config.buildNamespace === undefined || config.buildNamespace === config.namespace
        ? this.runners
        : new RunnerNamespace(core, config.buildNamespace, buildNamespaceLabels(labels, config.buildSandbox));
  }

  forStage(stage: string): RunnerNamespace {
    return stage === 'build' ? this.builds : this.runners;
  }

  /** The namespace of a runner pod (and its Secret), by its name. */
  of(runner: string): string {
    return (isBuildRunner(runner) ? this.builds : this.runners).name;
  }

  /** Every namespace runners may be in, each once. */
  all(): string[] {
    return [...new Set([this.runners.name, this.builds.name])];
  }
}
