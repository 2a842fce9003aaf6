import type {
  ApprovalRecord,
  LogChunk,
  LogLine,
  ManifestRecord,
  PipelineRecord,
  PipelineStatus,
  StageName,
  StageRecord,
  StageStatus,
  TestFailure,
  TestJobRecord,
  TestReportSummary,
  Trigger,
} from '@ferry/shared';

export type {
  ApprovalRecord,
  LogChunk,
  LogLine,
  PipelineStatus,
  StageName,
  StageRecord,
  StageStatus,
  TestFailure,
  TestJobRecord,
  TestReportSummary,
  Trigger,
};

/**
 * The image a pipeline built and deployed. The change-pod stage (issue 5) adds it to records; the
 * dashboard shows whatever of it is there, and nothing when it is absent.
 */
export interface ImageInfo {
  repository?: string;
  tag?: string;
  digest?: string;
  /** The full reference, e.g. `registry/shop/order-service:c0ffee01@sha256:…`. */
  ref?: string;
  /** As the build stage records it: the reference deployed (`repo@sha256:…`) and the tags pushed. */
  reference?: string;
  tags?: string[];
}

/**
 * One Kubernetes object change pod applies, as `GET /pipelines/:id` sends it: Secret values
 * `<redacted>`, `yaml` cut with a `# truncated by Ferry` line past the size cap. `action`
 * (created, configured, unchanged) only when known.
 */
export type RenderedManifest = ManifestRecord;

/** A pipeline as the API returns it, with the fields later stages add, when present. */
export type Pipeline = PipelineRecord & {
  image?: ImageInfo | string;
};

export interface PipelinePage {
  items: Pipeline[];
  nextCursor?: string;
}

/** An environment Ferry is configured with (`GET /environments` → configured), with or without pipelines. */
export interface ConfiguredEnvironment {
  name: string;
  branch: string;
  approval: boolean;
}

export interface EnvironmentSummary {
  project: { id: number; path: string; webUrl: string };
  environment: string;
  deployed?: Pipeline;
  recent: Pipeline[];
}

export type Role = 'viewer' | 'deployer' | 'admin';

export interface Caller {
  authenticated: boolean;
  name?: string;
  role?: Role;
  /** How Ferry recognised the caller: a bearer token, or the user the sign-in proxy named. */
  via?: 'token' | 'proxy';
  anonymousRead: boolean;
}

/** A transition from `GET /api/v1/events`. */
export interface Transition {
  kind: 'pipeline' | 'stage' | 'canary';
  id: string;
  status: string;
  stage?: string;
  /** A canary step (kind `canary`): its number, how many there are, its share of the traffic. */
  step?: number;
  of?: number;
  percent?: number;
  at: string;
}

export const stageOrder: readonly StageName[] = ['test', 'build', 'deploy'];

const terminal: ReadonlySet<string> = new Set(['success', 'failed', 'canceled', 'skipped']);

export function isTerminal(status: PipelineStatus | StageStatus): boolean {
  return terminal.has(status);
}
