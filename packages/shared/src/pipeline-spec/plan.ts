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

/** What a test job runs: its runner's image, script, variables and limits. */
export interface ResolvedTestRun {
  /** Clone the commit before the script (false: the script needs no source). */
  readonly checkout: boolean;
  readonly image: string;
  readonly script: readonly string[];
  readonly timeoutMs: number;
  readonly env: Readonly<Record<string, string>>;
  readonly envFrom: readonly ResolvedEnvSource[];
  readonly resources: ResolvedResources;
}

/** A container beside a test job, sharing its network (reachable at 127.0.0.1). */
export interface ResolvedTestService {
  readonly name: string;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  /** Arguments replacing the image's command; null: the image's own. */
  readonly command: readonly string[] | null;
  /** The job's script waits until a TCP connection to 127.0.0.1:port succeeds; null: no wait. */
  readonly ready: { readonly tcpPort: number; readonly timeoutMs: number } | null;
}

/**
 * A job's dependency cache, per project: `name` (the spec's text key, default the job's name)
 * and the content of `files` (empty: none) make the key; `paths` are kept, relative to the workspace.
 */
export interface ResolvedTestCache {
  readonly key: { readonly name: string; readonly files: readonly string[] };
  readonly paths: readonly string[];
}

/** One job of the test stage: its own runner, run beside the others. */
export interface ResolvedTestJob extends ResolvedTestRun {
  /** A DNS label; `test` for the simple form. */
  readonly name: string;
  readonly services: readonly ResolvedTestService[];
  readonly cache: ResolvedTestCache | null;
  /** Shell glob (relative to the workspace) of the JUnit XML files read after the job; null: none. */
  readonly reports: { readonly junit: string | null };
  /** RE2 pattern over the job log giving its coverage percentage (GitLab's slashes removed); null: none. */
  readonly coverage: string | null;
}

/**
 * The test stage. `jobs` is what runs: the simple form (`form: 'single'`, image + script on the
 * stage) is one job named `test`, reported under the stage's own GitLab status; with `jobs:` each
 * job is reported as `ferry/test:<job>`. The stage-level run fields are the simple form's job (with
 * `jobs:`, the defaults the jobs started from); read `jobs`.
 */
export interface ResolvedTestStage extends ResolvedTestRun {
  readonly form: 'single' | 'jobs';
  readonly jobs: readonly ResolvedTestJob[];
  /** A failing job cancels the others. */
  readonly failFast: boolean;
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
