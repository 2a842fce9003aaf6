import type Dockerode from 'dockerode';
import type { Registry } from '../api/registry.js';
import type { EventRecorder } from '../events.js';
import type { DoubleLogger } from '../logger.js';
import type { NodeState } from '../node.js';
import type { Store } from '../store/store.js';
import type { PortAllocator } from './ports.js';
import type { ServiceAccountMount } from './volumes.js';

/** Back-offs and periods, shorter than a real kubelet's so tests stay quick. */
export interface KubeletTiming {
  /** Delay before the second restart of a crashed container (doubles up to the max). */
  restartBackoffMs: number;
  maxRestartBackoffMs: number;
  /** How long ImagePullBackOff lasts after an ErrImagePull (doubles up to the max). */
  imagePullBackoffMs: number;
  maxImagePullBackoffMs: number;
  /** Retry period for CreateContainerConfigError and FailedMount. */
  configRetryMs: number;
  /** Probes run at their periodSeconds, but never less often than this. */
  maxProbePeriodMs: number;
}

export const defaultTiming: KubeletTiming = {
  restartBackoffMs: 1000,
  maxRestartBackoffMs: 10_000,
  imagePullBackoffMs: 1000,
  maxImagePullBackoffMs: 10_000,
  configRetryMs: 1000,
  maxProbePeriodMs: 1000,
};

export interface KubeletDeps {
  docker: Dockerode;
  store: Store;
  registry: Registry;
  events: EventRecorder;
  ports: PortAllocator;
  logger: DoubleLogger;
  instanceId: string;
  /** Host directory for pod volumes and claims (removed on close). */
  rootDir: string;
  /** The kubelet's seccomp root: `Localhost` profiles are read from here (`<root-dir>/seccomp`). */
  seccompRoot: string;
  node: () => NodeState;
  apiPort: number;
  /** The image of every pod's sandbox container (network-namespace holder; network/pod-network.ts). */
  pauseImage: string;
  serviceAccount: ServiceAccountMount;
  timing: KubeletTiming;
}
