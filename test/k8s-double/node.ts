/** The double's single node: labels, allocatable resources and taints that the scheduler reads. */
import type { V1Taint } from '@kubernetes/client-node';
import { rfc3339 } from './api/clock.js';
import { formatBytes, formatCpu } from './api/quantity.js';
import { R } from './api/resources.js';
import type { Store } from './store/store.js';
import type { KubeObject } from './types.js';

export interface NodeState {
  name: string;
  labels: Record<string, string>;
  allocatable: { cpu: number; memory: number; pods: number };
  taints: V1Taint[];
}

export function defaultNodeLabels(name: string): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': process.arch === 'arm64' ? 'arm64' : 'amd64',
    'node-role.kubernetes.io/control-plane': '',
  };
}

export function nodeObject(node: NodeState, now = new Date()): KubeObject {
  const resources = {
    cpu: formatCpu(node.allocatable.cpu),
    memory: formatBytes(node.allocatable.memory),
    pods: String(node.allocatable.pods),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      uid: crypto.randomUUID(),
      resourceVersion: '',
      creationTimestamp: rfc3339(now),
      labels: node.labels,
    },
    spec: node.taints.length > 0 ? { taints: node.taints } : {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: rfc3339(now),
          lastTransitionTime: rfc3339(now),
        },
      ],
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: node.name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.31.0-k8s-double',
        containerRuntimeVersion: 'docker://local',
        operatingSystem: 'linux',
        architecture: process.arch,
      },
    },
  };
}

/** Writes the node state into the store (created on first call). */
export function publishNode(store: Store, node: NodeState): void {
  const existing = store.peek(R.nodes, undefined, node.name);
  const fresh = nodeObject(node);
  if (!existing) {
    store.insert(R.nodes, fresh);
    return;
  }
  store.mutate(R.nodes, undefined, node.name, (o) => {
    o.metadata.labels = fresh.metadata.labels;
    o.spec = fresh.spec;
    o.status.allocatable = fresh.status.allocatable;
    o.status.capacity = fresh.status.capacity;
    return true;
  });
}
