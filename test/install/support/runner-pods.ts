/**
 * The runner pods of an installed Ferry (namespace ferry-runners), seen through the API as an
 * operator's `kubectl get pods -w` would: which ran while something happened, and which are left.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { watchSeen } from '../../support/seen-while.js';

export const RUNNER_NAMESPACE = 'ferry-runners';

export async function runnerPods(core: CoreV1Api): Promise<string[]> {
  const pods = await core.listNamespacedPod({ namespace: RUNNER_NAMESPACE });
  return pods.items.map((p) => p.metadata?.name ?? '');
}

/** Records every runner pod seen until stopped. */
export function watchRunnerPods(core: CoreV1Api): { stop(): Promise<Set<string>> } {
  return watchSeen(() => runnerPods(core), 250);
}

/** Resolves once a runner pod exists (a pipeline's stage runs), or throws after `timeoutMs`. */
export async function firstRunnerPod(core: CoreV1Api, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [name] = await runnerPods(core).catch(() => []);
    if (name !== undefined) return name;
    if (Date.now() > deadline) throw new Error(`no runner pod in ${RUNNER_NAMESPACE} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
