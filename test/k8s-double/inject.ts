/**
 * Failure injection. Where Kubernetes has a real condition for a failure, injection changes
 * that condition (node labels, allocatable resources, taints, a container really killed);
 * API faults and dropped watches stand in for a flaky apiserver.
 */
import type { V1Taint } from '@kubernetes/client-node';
import { parseQuantity } from './api/quantity.js';
import { R } from './api/resources.js';
import { defaultNodeLabels, type NodeState, publishNode } from './node.js';
import type { Kubelet } from './pods/kubelet.js';
import type { Scheduler } from './scheduler.js';
import type { FaultList, RequestFault } from './server/faults.js';
import type { Store } from './store/store.js';
import type { WatchHub } from './store/watch.js';

export type { RequestFault } from './server/faults.js';

export interface FailureInjection {
  /** Replaces the node's own labels (the kubernetes.io/* ones stay); pending pods are rescheduled. */
  setNodeLabels(labels: Record<string, string>): void;
  /** Changes the node's allocatable cpu/memory/pods, as a smaller or busier node would have. */
  setAllocatable(resources: { cpu?: string; memory?: string; pods?: number }): void;
  /** Taints the node (NoSchedule/NoExecute keep pods without a toleration Pending). */
  setTaints(taints: V1Taint[]): void;
  /** The next matching API requests fail with this status (e.g. 500, 429, 409). */
  failRequests(fault: RequestFault): void;
  clearRequestFaults(): void;
  /** Ends every open watch stream now; returns how many there were. */
  dropWatches(): number;
  /** Forgets the watch history: a watch from any earlier resourceVersion gets 410 Expired. */
  expireResourceVersions(): void;
  /** Kills a pod's running container in the Docker engine (a real crash; restartPolicy applies). */
  crashContainer(namespace: string, pod: string, container?: string, signal?: string): Promise<void>;
}

export interface InjectionDeps {
  store: Store;
  node: NodeState;
  scheduler: Scheduler;
  faults: FaultList;
  watches: WatchHub;
  kubelet: Kubelet;
}

export function failureInjection(d: InjectionDeps): FailureInjection {
  const republish = () => {
    publishNode(d.store, d.node);
    d.scheduler.trigger();
  };
  return {
    setNodeLabels(labels) {
      d.node.labels = { ...defaultNodeLabels(d.node.name), ...labels };
      republish();
    },
    setAllocatable(resources) {
      if (resources.cpu !== undefined)
        d.node.allocatable.cpu = parseQuantity(resources.cpu) ?? d.node.allocatable.cpu;
      if (resources.memory !== undefined)
        d.node.allocatable.memory = parseQuantity(resources.memory) ?? d.node.allocatable.memory;
      if (resources.pods !== undefined) d.node.allocatable.pods = resources.pods;
      republish();
    },
    setTaints(taints) {
      d.node.taints = taints;
      republish();
    },
    failRequests: (fault) => d.faults.add(fault),
    clearRequestFaults: () => d.faults.clear(),
    dropWatches: () => d.watches.closeAll(),
    expireResourceVersions: () => d.store.compact(),
    async crashContainer(namespace, podName, container, signal = 'SIGKILL') {
      const pod = d.store.peek(R.pods, namespace, podName);
      if (!pod) throw new Error(`k8s-double: pod ${namespace}/${podName} not found`);
      const rt = d.kubelet.runtimeFor(pod.metadata.uid);
      if (!rt) throw new Error(`k8s-double: pod ${namespace}/${podName} is not running on the node`);
      await rt.killContainer(container ?? pod.spec?.containers?.[0]?.name ?? '', signal);
    },
  };
}
