/**
 * The scheduler for the double's one node: nodeSelector, required node affinity, taints and
 * tolerations, resource requests against allocatable (minus the pods already there), pod
 * count, and PVCs that must exist. A pod that fits is bound; one that does not stays Pending
 * with PodScheduled=False/Unschedulable and a FailedScheduling event, and is retried.
 */
import type { V1NodeSelectorRequirement, V1Taint, V1Toleration } from '@kubernetes/client-node';
import { rfc3339 } from './api/clock.js';
import type { PodSpec } from './api/kinds/pod-spec.js';
import { parseQuantity } from './api/quantity.js';
import { R } from './api/resources.js';
import type { EventRecorder } from './events.js';
import type { NodeState } from './node.js';
import type { Store } from './store/store.js';
import type { KubeObject } from './types.js';

export function podRequests(spec: PodSpec): { cpu: number; memory: number } {
  const req = (
    c: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } },
    r: string,
  ) => parseQuantity(c.resources?.requests?.[r] ?? c.resources?.limits?.[r]) ?? 0;
  const out = { cpu: 0, memory: 0 };
  for (const r of ['cpu', 'memory'] as const) {
    const main = (spec.containers ?? []).reduce((sum, c) => sum + req(c, r), 0);
    const init = Math.max(0, ...(spec.initContainers ?? []).map((c) => req(c, r)));
    out[r] = Math.max(main, init);
  }
  return out;
}

function matchesRequirement(labels: Record<string, string>, e: V1NodeSelectorRequirement): boolean {
  const v = labels[e.key];
  switch (e.operator) {
    case 'In':
      return v !== undefined && (e.values ?? []).includes(v);
    case 'NotIn':
      return v === undefined || !(e.values ?? []).includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(e.values?.[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(e.values?.[0]);
    default:
      return false;
  }
}

function tolerates(tolerations: V1Toleration[], taint: V1Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

/** Why the pod does not fit, in the scheduler's words; empty when it fits. */
export function unfitReasons(
  pod: KubeObject,
  node: NodeState,
  podsOnNode: KubeObject[],
  pvcExists: (name: string) => boolean,
): string[] {
  const spec = pod.spec as PodSpec;
  const reasons: string[] = [];
  for (const v of spec.volumes ?? []) {
    if (v.persistentVolumeClaim && !pvcExists(v.persistentVolumeClaim.claimName)) {
      reasons.push(`persistentvolumeclaim "${v.persistentVolumeClaim.claimName}" not found`);
    }
  }
  const selectorOk = Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v);
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const affinityOk =
    !terms || terms.some((t) => (t.matchExpressions ?? []).every((e) => matchesRequirement(node.labels, e)));
  if (!selectorOk || !affinityOk) reasons.push("1 node(s) didn't match Pod's node affinity/selector");
  const untolerated = node.taints.filter(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(spec.tolerations ?? [], t),
  );
  if (untolerated.length > 0) {
    const t = untolerated[0]!;
    reasons.push(`1 node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`);
  }
  const used = podsOnNode.reduce(
    (acc, p) => {
      const r = podRequests(p.spec as PodSpec);
      return { cpu: acc.cpu + r.cpu, memory: acc.memory + r.memory };
    },
    { cpu: 0, memory: 0 },
  );
  const want = podRequests(spec);
  if (used.cpu + want.cpu > node.allocatable.cpu + 1e-9) reasons.push('1 Insufficient cpu');
  if (used.memory + want.memory > node.allocatable.memory) reasons.push('1 Insufficient memory');
  if (podsOnNode.length + 1 > node.allocatable.pods) reasons.push('1 Too many pods');
  return reasons;
}

export class Scheduler {
  private queued = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly events: EventRecorder,
    private readonly node: () => NodeState,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((e) => {
      if (e.def === R.pods || e.def === R.pvcs || e.def === R.nodes) this.trigger();
    });
    this.trigger();
  }

  stop(): void {
    this.unsubscribe?.();
  }

  trigger(): void {
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.scheduleAll();
    });
  }

  private scheduleAll(): void {
    const node = this.node();
    const pods = this.store.peekAll(R.pods);
    const active = (p: KubeObject) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
    const onNode = pods.filter((p) => p.spec?.nodeName === node.name && active(p));
    for (const pod of pods) {
      if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) continue;
      if ((pod.spec?.schedulerName ?? 'default-scheduler') !== 'default-scheduler') continue;
      const reasons = unfitReasons(pod, node, onNode, (name) => {
        const pvc = this.store.peek(R.pvcs, pod.metadata.namespace, name);
        return pvc !== undefined && !pvc.metadata.deletionTimestamp;
      });
      if (reasons.length === 0) {
        this.bind(pod, node.name);
        onNode.push(pod);
      } else this.markUnschedulable(pod, reasons);
    }
  }

  private bind(pod: KubeObject, nodeName: string): void {
    const now = rfc3339();
    const bound = this.store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      p.spec.nodeName = nodeName;
      p.status ??= {};
      p.status.conditions = [
        ...(p.status.conditions ?? []).filter((c: { type: string }) => c.type !== 'PodScheduled'),
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      ];
      return true;
    });
    if (bound) {
      this.events.record(bound, {
        type: 'Normal',
        reason: 'Scheduled',
        message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`,
        component: 'default-scheduler',
      });
    }
  }

  private markUnschedulable(pod: KubeObject, reasons: string[]): void {
    const message = `0/1 nodes are available: ${reasons.join(', ')}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
    const before = pod.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled');
    if (before?.message === message) return;
    const updated = this.store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      p.status ??= {};
      p.status.phase = 'Pending';
      p.status.conditions = [
        ...(p.status.conditions ?? []).filter((c: { type: string }) => c.type !== 'PodScheduled'),
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message,
          lastProbeTime: null,
          lastTransitionTime: rfc3339(),
        },
      ];
      return true;
    });
    if (updated)
      this.events.record(updated, {
        type: 'Warning',
        reason: 'FailedScheduling',
        message,
        component: 'default-scheduler',
      });
  }
}
