import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { OutputLines } from '../command/output-lines.js';
import { callOptions, type KubeClients } from './kube-clients.js';
import { isPodReady, logsFromPrevious, podProblems } from './pod-problems.js';
import { replicaSetPodSelector } from './replica-sets.js';

/** Pods described after a failed rollout, and log lines shown per container. */
const MAX_PODS = 3;
const LOG_LINES = 20;

/**
 * Writes why the ReplicaSet's pods are not ready: their status reasons, Warning events and the
 * last log lines of each container (the previous container's after a restart). Log lines are
 * passed through escaped. Best effort: a diagnostic that cannot be read is said so, not fatal.
 */
export async function describeFailingPods(
  c: KubeClients,
  rs: V1ReplicaSet,
  out: OutputLines,
  signal: AbortSignal,
): Promise<void> {
  const namespace = rs.metadata?.namespace ?? '';
  let pods: V1Pod[];
  try {
    pods = (
      await c.core.listNamespacedPod(
        { namespace, labelSelector: replicaSetPodSelector(rs) },
        callOptions(signal),
      )
    ).items;
  } catch (err) {
    out.line(`(cannot list the pods of ${rs.metadata?.name}: ${(err as Error).message})`);
    return;
  }
  const failing = pods.filter((p) => !isPodReady(p));
  if (failing.length === 0) {
    out.line(`no pod of ${rs.metadata?.name} is failing now (${pods.length} pod(s))`);
    return;
  }
  for (const pod of failing.slice(0, MAX_PODS)) {
    const name = pod.metadata?.name ?? '';
    out.line(`pod ${name}:`);
    let events: Parameters<typeof podProblems>[1] = [];
    try {
      events = (
        await c.core.listNamespacedEvent(
          { namespace, fieldSelector: `involvedObject.name=${name}` },
          callOptions(signal),
        )
      ).items;
    } catch {
      // Events are a help, not a requirement.
    }
    for (const line of podProblems(pod, events)) out.line(`  ${line}`);
    for (const container of pod.spec?.containers ?? []) {
      const status = pod.status?.containerStatuses?.find((s) => s.name === container.name);
      const previous = logsFromPrevious(status);
      try {
        const log = await c.core.readNamespacedPodLog(
          { name, namespace, container: container.name, tailLines: LOG_LINES, previous },
          callOptions(signal),
        );
        out.line(`  last log lines of ${container.name}${previous ? ' (previous container)' : ''}:`);
        const text = String(log);
        if (text.trim() === '') out.line('    (none)');
        for (const line of text.replace(/\n$/, '').split('\n'))
          if (text.trim() !== '') out.write(`    ${line}\n`);
      } catch (err) {
        out.line(`  (no logs of ${container.name}: ${(err as Error).message.split('\n')[0]})`);
      }
    }
  }
  if (failing.length > MAX_PODS) out.line(`… and ${failing.length - MAX_PODS} more failing pod(s)`);
}
