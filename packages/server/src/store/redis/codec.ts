import { type PipelineRecord, type StageRecord, stageNames } from '@ferry/shared';
import { assertReadableFormat, PIPELINE_RECORD_FORMAT } from '../record-format.js';

/** `manifests` (up to 256 KiB of YAML) is a field like `image` and `release`; lists leave it out. */
const jsonFields = [
  'project',
  'user',
  'mergeRequest',
  'approval',
  'image',
  'release',
  'manifests',
  'gitlabPipelineId',
  'gitlabDeployments',
  'canarySteps',
  'canaryDecisions',
] as const;
const stringFields = [
  'id',
  'kind',
  'environment',
  'ref',
  'sha',
  'trigger',
  'commitTitle',
  'status',
  'reason',
  'lane',
  'retryOf',
  'rollbackOf',
  'jobId',
  'createdAt',
  'queuedAt',
  'startedAt',
  'finishedAt',
] as const;

export const stageField = (name: string) => `stage:${name}`;
/** The attempt the stage record holds now: an end of another attempt is refused (`endStage`). */
export const stageAttemptField = (name: string) => `stageAttempt:${name}`;
/** Set once when an attempt of a stage ends: the same attempt never ends twice. */
export const stageEndedField = (name: string, attempt: number) => `stageEnded:${name}:${attempt}`;

/** A pipeline as the flat hash fields Redis stores (so stages and status update alone). */
export function encodePipeline(record: PipelineRecord): Record<string, string> {
  const out: Record<string, string> = { format: String(PIPELINE_RECORD_FORMAT) };
  for (const key of stringFields) {
    const value = record[key];
    if (value !== undefined) out[key] = String(value);
  }
  for (const key of jsonFields) {
    const value = record[key];
    if (value !== undefined) out[key] = JSON.stringify(value);
  }
  out.priority = String(record.priority);
  if (record.cancelRequested) out.cancelRequested = '1';
  if (record.withoutSecrets) out.withoutSecrets = '1';
  out.stageOrder = JSON.stringify(record.stages.map((s) => s.name));
  for (const stage of record.stages) out[stageField(stage.name)] = JSON.stringify(stage);
  return out;
}

/** Every field of a pipeline's hash but `manifests`: what a list reads (HMGET). */
export const listFields: readonly string[] = [
  'format',
  ...stringFields,
  ...jsonFields.filter((f) => f !== 'manifests'),
  'priority',
  'cancelRequested',
  'withoutSecrets',
  'stageOrder',
  ...stageNames.map(stageField),
];

/** HMGET's answer to `listFields` as the hash decodePipeline reads. */
export function listHash(values: ReadonlyArray<string | null>): Record<string, string> {
  const hash: Record<string, string> = {};
  listFields.forEach((field, i) => {
    const value = values[i];
    if (value !== null && value !== undefined) hash[field] = value;
  });
  return hash;
}

export function decodePipeline(hash: Record<string, string>): PipelineRecord | undefined {
  if (hash.id === undefined || hash.status === undefined) return undefined;
  assertReadableFormat(hash.format, hash.id);
  const order = JSON.parse(hash.stageOrder ?? '[]') as string[];
  const stages = order
    .map((name) => hash[stageField(name)])
    .filter((v): v is string => v !== undefined)
    .map((v) => JSON.parse(v) as StageRecord);
  const record: Record<string, unknown> = {};
  for (const key of stringFields) if (hash[key] !== undefined) record[key] = hash[key];
  for (const key of jsonFields) if (hash[key] !== undefined) record[key] = JSON.parse(hash[key]);
  record.priority = Number(hash.priority ?? '10');
  if (hash.cancelRequested === '1') record.cancelRequested = true;
  if (hash.withoutSecrets === '1') record.withoutSecrets = true;
  record.kind ??= 'environment';
  record.stages = stages;
  return record as unknown as PipelineRecord;
}

export function encodePatch(patch: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'cancelRequested') out[key] = value ? '1' : '0';
    else out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}
