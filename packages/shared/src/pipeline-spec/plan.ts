import type { Priority } from './defaults.js';
import type { ObjectNames } from './names.js';
import type { PlaceholderValues } from './placeholders.js';

/**
 * A pipeline spec resolved for one environment and one commit: every default applied, the
 * environment's overrides merged in, placeholders replaced and checked. What every stage uses.
 */
export interface ResolvedPlan {
  readonly environment: string;
  readonly branch: string;
  readonly namespace: string;
  /** Labels Ferry's configuration puts on the namespace (Pod Security levels); may be empty. */
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly service: string;
  readonly group: string;
  readonly project: string;
  readonly sha: string;
  readonly shortSha: string;
  /** The values placeholders were replaced with (the runner exports them as FERRY_*). */
  readonly placeholders: PlaceholderValues;
  /** Names of the Kubernetes objects for this service. */
  readonly names: ObjectNames;
  /** The image, below the registry Ferry is configured with: `<registry>/<repository>:<tag>`. */
  readonly image: { readonly repository: string; readonly tag: string };
  /** The stages that run, in order (a stage with `enabled: false` is left out). */
  readonly stages: readonly ('test' | 'build' | 'deploy')[];
  readonly test: ResolvedTestStage;
  readonly build: ResolvedBuildStage;
  readonly deploy: ResolvedDeployStage;
  readonly approval: { readonly required: boolean; readonly timeoutMs: number };
  /** Traffic percentages step by step, ending at 100; null deploys at once. */
  readonly canary: { readonly steps: readonly number[]; readonly pauseMs: number } | null;
  readonly supersede: boolean;
  readonly priority: Priority;
}

export interface ResolvedResources {
  readonly cpu: string;
  readonly memory: string;
  readonly cpuLimit: string | null;
  readonly memoryLimit: string;
}

export interface ResolvedEnvSource {
  readonly kind: 'secret' | 'configMap';
  readonly name: string;
  readonly optional: boolean;
}

export interface ResolvedTestStage {
  /** Clone the commit before the script (false: the script needs no source). */
  readonly checkout: boolean;
  readonly image: string;
  readonly script: readonly string[];
  readonly timeoutMs: number;
  readonly env: Readonly<Record<string, string>>;
  readonly envFrom: readonly ResolvedEnvSource[];
  readonly resources: ResolvedResources;
}

export interface ResolvedBuildStage {
  readonly dockerfile: string;
  readonly context: string;
  readonly args: Readonly<Record<string, string>>;
  readonly target: string | null;
  readonly timeoutMs: number;
}

export interface ResolvedProbe {
  readonly kind: 'http' | 'tcp';
  /** The HTTP path; null for tcp. */
  readonly path: string | null;
  readonly port: number;
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly failureThreshold: number;
}

export interface ResolvedStorage {
  readonly size: string;
  readonly storageClass: string | null;
  readonly mountPath: string;
}

export interface ResolvedIngress {
  readonly host: string;
  readonly path: string;
  readonly tlsSecret: string | null;
}

export interface ResolvedDeployStage {
  readonly port: number;
  readonly replicas: number;
  readonly resources: ResolvedResources;
  readonly readiness: ResolvedProbe;
  readonly liveness: ResolvedProbe | null;
  readonly storage: ResolvedStorage | null;
  readonly ingress: ResolvedIngress | null;
  readonly env: Readonly<Record<string, string>>;
  readonly envFrom: readonly ResolvedEnvSource[];
  /** `restricted` (the default) or `baseline`; `runAsUser` null: the image's own (numeric) user. */
  readonly security: { readonly level: 'restricted' | 'baseline'; readonly runAsUser: number | null };
  readonly rollout: {
    readonly progressDeadlineMs: number;
    readonly maxSurge: number | string;
    readonly maxUnavailable: number | string;
  };
}
