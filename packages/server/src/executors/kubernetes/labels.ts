import { createHash } from 'node:crypto';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { RunnerInfo, StageJob } from '../executor.js';

/** The label every runner pod and Secret carries; `list` (and so the reaper) selects on it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'ferry';
export const RUNNER_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

/** Keys used both as labels (sanitised, for selectors) and annotations (full values). */
export const RunnerKeys = {
  pipeline: 'ferry.dev/pipeline',
  stage: 'ferry.dev/stage',
  project: 'ferry.dev/project',
  sha: 'ferry.dev/sha',
  attempt: 'ferry.dev/attempt',
} as const;

/** Annotation only: the branch (user data, any length). */
export const REF_ANNOTATION = 'ferry.dev/ref';

/** Label: the Ferry installation that owns the runner (StageJob.owner). */
export const OWNER_LABEL = 'ferry.dev/owner';

/** The selector of the runners `list` reports: Ferry's, and the owner's when one is given. Pure. */
export function runnerSelector(owner?: string): string {
  return owner === undefined ? RUNNER_SELECTOR : `${RUNNER_SELECTOR},${OWNER_LABEL}=${labelValue(owner)}`;
}

const LABEL_VALUE_MAX = 63;
const VALID_LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * A string made into a valid label value: characters outside `[-A-Za-z0-9_.]` become `-`,
 * the ends are alphanumeric, at most 63 characters. A value that had to be cut ends with 8 hex
 * characters of its SHA-256, so two long values that share a prefix still select apart. The full
 * value is kept in the annotation of the same key. Pure.
 */
export function labelValue(value: string): string {
  if (value.length <= LABEL_VALUE_MAX && VALID_LABEL_VALUE.test(value)) return value;
  const trimEnds = (s: string) => s.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  const cleaned = trimEnds(value.replace(/[^-A-Za-z0-9_.]/g, '-'));
  if (cleaned.length <= LABEL_VALUE_MAX) return cleaned;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  return `${trimEnds(cleaned.slice(0, LABEL_VALUE_MAX - hash.length - 1))}-${hash}`;
}

type JobIdentity = Pick<StageJob, 'pipelineId' | 'stage' | 'attempt' | 'project' | 'sha' | 'ref' | 'owner'>;

function identity(job: JobIdentity): Record<string, string> {
  return {
    [RunnerKeys.pipeline]: job.pipelineId,
    [RunnerKeys.stage]: job.stage,
    [RunnerKeys.project]: job.project.path,
    [RunnerKeys.sha]: job.sha,
    [RunnerKeys.attempt]: String(job.attempt),
  };
}

/** Labels of a runner's pod and Secret. Pure. */
export function runnerLabels(job: JobIdentity): Record<string, string> {
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  for (const [key, value] of Object.entries(identity(job))) labels[key] = labelValue(value);
  if (job.owner !== undefined) labels[OWNER_LABEL] = labelValue(job.owner);
  return labels;
}

/** Annotations of a runner's pod and Secret: the full, unsanitised values. Pure. */
export function runnerAnnotations(job: JobIdentity): Record<string, string> {
  return { ...identity(job), [REF_ANNOTATION]: job.ref };
}

/** What `list` reports for a runner object, or undefined when it is not one of Ferry's. Pure. */
export function runnerInfoFrom(meta: V1ObjectMeta | undefined): RunnerInfo | undefined {
  if (meta?.name === undefined || meta.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return undefined;
  const pick = (key: string) => meta.annotations?.[key] ?? meta.labels?.[key];
  const info: RunnerInfo = {
    id: meta.name,
    pipelineId: pick(RunnerKeys.pipeline) ?? '',
    stage: pick(RunnerKeys.stage) ?? '',
  };
  if (meta.creationTimestamp !== undefined) info.createdAt = new Date(meta.creationTimestamp);
  return info;
}
