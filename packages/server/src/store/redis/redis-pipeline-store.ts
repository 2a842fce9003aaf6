import {
  type CanaryDecisionRecord,
  type CanaryStepRecord,
  type GitLabDeploymentRecord,
  isTerminalPipeline,
  isTerminalStage,
  type PipelineRecord,
  type PipelineStatus,
  pipelineStatuses,
  type StageRecord,
} from '@ferry/shared';
import type { Redis } from 'ioredis';
import type {
  AdmitInput,
  AdmitOutcome,
  MergeNoteInput,
  MergeNoteOutcome,
  PipelineFilter,
  PipelinePage,
  PipelinePatch,
  PipelineStore,
  StoredAnswer,
} from '../pipeline-store.js';
import {
  decodePipeline,
  encodePatch,
  encodePipeline,
  listFields,
  listHash,
  stageAttemptField,
  stageEndedField,
  stageField,
} from './codec.js';
import { type StoreKeys, storeKeys } from './keys.js';
import {
  admitScript,
  appendCanaryDecisionScript,
  endStageScript,
  finishScript,
  noteMergeScript,
  putGitLabDeploymentScript,
  putStageAttemptScript,
  releaseScript,
  transitionScript,
} from './scripts.js';

interface StoreCommands {
  ferryAdmit(...args: string[]): Promise<string[]>;
  ferryTransition(...args: string[]): Promise<number>;
  ferryRelease(...args: string[]): Promise<string | null>;
  ferryFinish(...args: string[]): Promise<[number, string]>;
  ferryEndStage(...args: string[]): Promise<number>;
  ferryPutStageAttempt(...args: string[]): Promise<number>;
  ferryNoteMerge(...args: string[]): Promise<string[]>;
  ferryAppendCanaryDecision(...args: string[]): Promise<number>;
  ferryPutGitLabDeployment(...args: string[]): Promise<number>;
}
type ScriptedRedis = Redis & StoreCommands;

export interface RedisPipelineStoreOptions {
  prefix?: string;
  /** How long a delivery's answer is replayed to redeliveries. */
  idempotencyTtlSeconds?: number;
  /** How long the same merge (project, environment, sha) is recognised as a duplicate. */
  dedupTtlSeconds?: number;
}

/** The pipeline store on Redis: a hash per pipeline, sorted-set indexes, lanes, and an event stream. */
export class RedisPipelineStore implements PipelineStore {
  readonly keys: StoreKeys;
  readonly #redis: ScriptedRedis;
  readonly #idemTtl: number;
  readonly #dedupTtl: number;

  constructor(redis: Redis, options: RedisPipelineStoreOptions = {}) {
    this.keys = storeKeys(options.prefix ?? 'ferry');
    this.#idemTtl = options.idempotencyTtlSeconds ?? 7 * 24 * 3600;
    this.#dedupTtl = options.dedupTtlSeconds ?? 7 * 24 * 3600;
    defineOnce(redis, 'ferryAdmit', 14, admitScript);
    defineOnce(redis, 'ferryNoteMerge', 2, noteMergeScript);
    defineOnce(redis, 'ferryTransition', 3, transitionScript);
    defineOnce(redis, 'ferryRelease', 2, releaseScript);
    defineOnce(redis, 'ferryFinish', 5, finishScript);
    defineOnce(redis, 'ferryEndStage', 2, endStageScript);
    defineOnce(redis, 'ferryPutStageAttempt', 2, putStageAttemptScript);
    defineOnce(redis, 'ferryAppendCanaryDecision', 1, appendCanaryDecisionScript);
    defineOnce(redis, 'ferryPutGitLabDeployment', 1, putGitLabDeploymentScript);
    this.#redis = redis as ScriptedRedis;
  }

  async admit(input: AdmitInput): Promise<AdmitOutcome> {
    const { pipeline } = input;
    const k = this.keys;
    const upgrade =
      input.mergeUpgrade === undefined
        ? ''
        : JSON.stringify({
            trigger: input.mergeUpgrade.trigger,
            user: JSON.stringify(input.mergeUpgrade.user),
            mergeRequest: JSON.stringify(input.mergeUpgrade.mergeRequest),
          });
    const reply = await this.#redis.ferryAdmit(
      input.idempotencyKey === undefined ? '' : k.idempotency(input.idempotencyKey),
      k.dedup(input.dedupKey),
      k.pipeline(pipeline.id),
      k.lanePending(pipeline.lane),
      k.laneHolder(pipeline.lane),
      k.indexAll,
      k.indexProject(pipeline.project.id),
      k.active,
      k.sequence,
      k.events,
      k.head(pipeline.project.id, pipeline.ref),
      k.project(String(pipeline.project.id)),
      k.projectPath(pipeline.project.path),
      k.mergeNotes(pipeline.project.id, pipeline.ref),
      pipeline.id,
      JSON.stringify(encodePipeline(pipeline)),
      input.supersede ? '1' : '0',
      upgrade,
      String(this.#idemTtl),
      new Date().toISOString(),
      k.pipelinePrefix,
      pipeline.sha,
      String(pipeline.project.id),
      input.pusher ?? '',
      String(this.#dedupTtl),
    );
    const [kind, a, b, ...rest] = reply;
    if (kind === 'replay') return { kind: 'replay', response: JSON.parse(a ?? '{}') as StoredAnswer };
    if (kind === 'duplicate') return { kind: 'duplicate', pipelineId: a ?? '', updated: b === '1' };
    // created: [ 'created', enqueue, id, ...superseded ]
    return { kind: 'created', enqueue: a === '1', pipelineId: b ?? pipeline.id, superseded: rest };
  }

  async noteMerge(input: MergeNoteInput): Promise<MergeNoteOutcome> {
    const k = this.keys;
    const [kind, id] = await this.#redis.ferryNoteMerge(
      k.head(input.projectId, input.ref),
      k.mergeNotes(input.projectId, input.ref),
      k.dedup(`${input.projectId}:${input.environment}:`),
      k.pipelinePrefix,
      JSON.stringify(input.user),
      JSON.stringify(input.mergeRequest),
      input.sourceSha ?? '',
      input.since,
      String(input.ttlSeconds),
      input.user.username,
      input.sha ?? '',
    );
    if ((kind === 'annotated' || kind === 'unchanged') && id !== undefined) return { kind, pipelineId: id };
    return { kind: 'pending' };
  }

  async get(id: string): Promise<PipelineRecord | undefined> {
    return decodePipeline(await this.#redis.hgetall(this.keys.pipeline(id)));
  }

  async list(filter: PipelineFilter, limit: number, cursor?: string): Promise<PipelinePage> {
    const index =
      filter.projectId === undefined ? this.keys.indexAll : this.keys.indexProject(filter.projectId);
    const items: PipelineRecord[] = [];
    let max = cursor === undefined ? '+inf' : `(${Number.parseInt(cursor, 36)}`;
    const batch = Math.max(limit * 2, 50);
    // Newest first; filters that have no index of their own are applied while scanning.
    for (let scanned = 0; scanned < 20_000; scanned += batch) {
      const page = await this.#redis.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', 0, batch);
      if (page.length === 0) return { items };
      const ids = page.filter((_, i) => i % 2 === 0);
      const records = await this.#getMany(ids);
      for (let i = 0; i < ids.length; i++) {
        const record = records[i];
        const score = page[i * 2 + 1] ?? '0';
        max = `(${score}`;
        if (record !== undefined && matches(record, filter)) {
          items.push(record);
          if (items.length === limit) return { items, nextCursor: Number(score).toString(36) };
        }
      }
      if (ids.length < batch) return { items };
    }
    // Scanned the limit without filling the page: hand back where to go on from.
    return max === '+inf' ? { items } : { items, nextCursor: Number(max.slice(1)).toString(36) };
  }

  async #getMany(ids: string[]): Promise<Array<PipelineRecord | undefined>> {
    const pipe = this.#redis.pipeline();
    // Every field but the rendered manifests, which only `get` returns.
    for (const id of ids) pipe.hmget(this.keys.pipeline(id), ...listFields);
    const replies = (await pipe.exec()) ?? [];
    return replies.map(([err, values]) =>
      err ? undefined : decodePipeline(listHash(values as Array<string | null>)),
    );
  }

  async transition(
    id: string,
    from: readonly PipelineStatus[],
    to: PipelineStatus,
    patch: PipelinePatch = {},
  ): Promise<boolean> {
    const moved = await this.#redis.ferryTransition(
      this.keys.pipeline(id),
      this.keys.active,
      this.keys.events,
      from.join(','),
      to,
      JSON.stringify(encodePatch(patch)),
      new Date().toISOString(),
      isTerminalPipeline(to) ? '1' : '0',
    );
    return moved === 1;
  }

  async finish(
    id: string,
    lane: string,
    from: readonly PipelineStatus[],
    to: PipelineStatus,
    patch: PipelinePatch = {},
  ): Promise<{ moved: boolean; next?: string }> {
    const [moved, next] = await this.#redis.ferryFinish(
      this.keys.pipeline(id),
      this.keys.active,
      this.keys.events,
      this.keys.laneHolder(lane),
      this.keys.lanePending(lane),
      from.join(','),
      to,
      JSON.stringify(encodePatch(patch)),
      new Date().toISOString(),
      id,
    );
    return next === '' ? { moved: moved === 1 } : { moved: moved === 1, next };
  }

  async patch(id: string, patch: PipelinePatch): Promise<void> {
    const fields = encodePatch(patch);
    if (Object.keys(fields).length > 0) await this.#redis.hset(this.keys.pipeline(id), fields);
  }

  async addCanaryDecision(id: string, decision: CanaryDecisionRecord): Promise<boolean> {
    return (
      (await this.#redis.ferryAppendCanaryDecision(this.keys.pipeline(id), JSON.stringify(decision))) === 1
    );
  }

  async putGitLabDeployment(id: string, deployment: GitLabDeploymentRecord): Promise<boolean> {
    return (
      (await this.#redis.ferryPutGitLabDeployment(this.keys.pipeline(id), JSON.stringify(deployment))) === 1
    );
  }

  async putStage(id: string, stage: StageRecord): Promise<void> {
    const multi = this.#redis
      .multi()
      .hset(this.keys.pipeline(id), stageField(stage.name), JSON.stringify(stage))
      .hset(this.keys.pipeline(id), stageAttemptField(stage.name), String(stage.attempts));
    // An attempt ended here (a pipeline's end, a cancel) can never be ended again by `endStage`.
    if (isTerminalStage(stage.status))
      multi.hsetnx(this.keys.pipeline(id), stageEndedField(stage.name, stage.attempts), '1');
    await multi.xadd(this.keys.events, 'MAXLEN', '~', '1000000', '*', ...stageEvent(id, stage)).exec();
  }

  async putStageAttempt(id: string, stage: StageRecord, expected: number): Promise<boolean> {
    const written = await this.#redis.ferryPutStageAttempt(
      this.keys.pipeline(id),
      this.keys.events,
      stageField(stage.name),
      stageAttemptField(stage.name),
      String(expected),
      stageEndedField(stage.name, expected),
      JSON.stringify(stage),
      String(stage.attempts),
      ...stageEvent(id, stage),
    );
    return written === 1;
  }

  async endStage(id: string, stage: StageRecord): Promise<boolean> {
    const ended = await this.#redis.ferryEndStage(
      this.keys.pipeline(id),
      this.keys.events,
      stageField(stage.name),
      stageAttemptField(stage.name),
      String(stage.attempts),
      stageEndedField(stage.name, stage.attempts),
      JSON.stringify(stage),
      ...stageEvent(id, stage),
    );
    return ended === 1;
  }

  async putCanaryStep(id: string, step: CanaryStepRecord): Promise<CanaryStepRecord[]> {
    const key = this.keys.pipeline(id);
    const stored = await this.#redis.hget(key, 'canarySteps');
    const steps = (stored === null ? [] : (JSON.parse(stored) as CanaryStepRecord[])).filter(
      (s) => s.step !== step.step,
    );
    steps.push(step);
    steps.sort((a, b) => a.step - b.step);
    await this.#redis
      .multi()
      .hset(key, 'canarySteps', JSON.stringify(steps))
      .xadd(
        this.keys.events,
        'MAXLEN',
        '~',
        '1000000',
        '*',
        'kind',
        'canary',
        'id',
        id,
        'step',
        String(step.step),
        'of',
        String(step.of),
        'percent',
        String(step.percent),
        'status',
        step.state,
        'at',
        step.at,
      )
      .exec();
    return steps;
  }

  async releaseLane(lane: string, pipelineId: string): Promise<string | undefined> {
    const next = await this.#redis.ferryRelease(
      this.keys.laneHolder(lane),
      this.keys.lanePending(lane),
      pipelineId,
    );
    return next ?? undefined;
  }

  async leaveLane(lane: string, pipelineId: string): Promise<boolean> {
    return (await this.#redis.zrem(this.keys.lanePending(lane), pipelineId)) === 1;
  }

  async laneHolder(lane: string): Promise<string | undefined> {
    return (await this.#redis.get(this.keys.laneHolder(lane))) ?? undefined;
  }

  async nonTerminalIds(): Promise<string[]> {
    return this.#redis.smembers(this.keys.active);
  }

  async rememberHead(projectId: number, ref: string, sha: string): Promise<void> {
    await this.#redis.set(this.keys.head(projectId, ref), sha);
  }

  async headOf(projectId: number, ref: string): Promise<string | undefined> {
    return (await this.#redis.get(this.keys.head(projectId, ref))) ?? undefined;
  }

  async rememberProject(project: PipelineRecord['project']): Promise<void> {
    await this.#redis
      .multi()
      .set(this.keys.project(String(project.id)), JSON.stringify(project))
      .set(this.keys.projectPath(project.path), String(project.id))
      .exec();
  }

  async project(idOrPath: string): Promise<PipelineRecord['project'] | undefined> {
    const id = /^\d+$/.test(idOrPath) ? idOrPath : await this.#redis.get(this.keys.projectPath(idOrPath));
    if (id === null) return undefined;
    const raw = await this.#redis.get(this.keys.project(id));
    return raw === null ? undefined : (JSON.parse(raw) as PipelineRecord['project']);
  }

  async countByStatus(): Promise<Record<PipelineStatus, number>> {
    const counts = Object.fromEntries(pipelineStatuses.map((s) => [s, 0])) as Record<PipelineStatus, number>;
    const ids = await this.nonTerminalIds();
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.hget(this.keys.pipeline(id), 'status');
    for (const [err, status] of (await pipe.exec()) ?? []) {
      if (!err && typeof status === 'string' && status in counts) counts[status as PipelineStatus] += 1;
    }
    return counts;
  }
}

/** The fields of a stage transition in the events stream (reporting reads them). */
function stageEvent(id: string, stage: StageRecord): string[] {
  return [
    'kind',
    'stage',
    'id',
    id,
    'stage',
    stage.name,
    'status',
    stage.status,
    'at',
    new Date().toISOString(),
  ];
}

function matches(record: PipelineRecord, filter: PipelineFilter): boolean {
  if (filter.projectPath !== undefined && record.project.path !== filter.projectPath) return false;
  if (filter.environment !== undefined && record.environment !== filter.environment) return false;
  if (filter.status !== undefined && record.status !== filter.status) return false;
  if (filter.ref !== undefined && record.ref !== filter.ref) return false;
  return true;
}

function defineOnce(redis: Redis, name: keyof StoreCommands, numberOfKeys: number, lua: string): void {
  if (typeof (redis as unknown as Record<string, unknown>)[name] !== 'function')
    redis.defineCommand(name, { numberOfKeys, lua });
}
