import type { Logger, PipelineRecord } from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { PipelineFilter, PipelinePage, PipelineStore } from '../store/pipeline-store.js';
import type { HistoryStore } from './history-store.js';
import type { LiveKeys } from './redis/redis-live-keys.js';

/** A page of pipelines; `archive: 'unavailable'` when only live ones could be listed. */
export interface MergedPipelinePage extends PipelinePage {
  archive?: 'unavailable';
}

/**
 * The pipeline store the rest of Ferry uses: every write and every live read goes to Redis; a
 * pipeline Redis no longer holds is read from the archive, and lists merge both in one order (the
 * admission sequence), so a pipeline is found the same before and after its move.
 */
export class ArchivedPipelineStore implements PipelineStore {
  readonly #live: PipelineStore;
  readonly #redis: Redis;
  readonly #keys: LiveKeys;
  readonly #history: HistoryStore;
  readonly #logger: Logger;

  constructor(live: PipelineStore, redis: Redis, keys: LiveKeys, history: HistoryStore, logger: Logger) {
    this.#live = live;
    this.#redis = redis;
    this.#keys = keys;
    this.#history = history;
    this.#logger = logger;
    // Everything but the reads below is the live store's own.
    this.admit = live.admit.bind(live);
    this.noteMerge = live.noteMerge.bind(live);
    this.transition = live.transition.bind(live);
    this.finish = live.finish.bind(live);
    this.patch = live.patch.bind(live);
    this.putStage = live.putStage.bind(live);
    this.putStageAttempt = live.putStageAttempt.bind(live);
    this.putCanaryStep = live.putCanaryStep.bind(live);
    this.endStage = live.endStage.bind(live);
    this.addCanaryDecision = live.addCanaryDecision.bind(live);
    this.putGitLabDeployment = live.putGitLabDeployment.bind(live);
    this.releaseLane = live.releaseLane.bind(live);
    this.leaveLane = live.leaveLane.bind(live);
    this.laneHolder = live.laneHolder.bind(live);
    this.nonTerminalIds = live.nonTerminalIds.bind(live);
    this.rememberHead = live.rememberHead.bind(live);
    this.headOf = live.headOf.bind(live);
    this.rememberProject = live.rememberProject.bind(live);
    this.project = live.project.bind(live);
    this.countByStatus = live.countByStatus.bind(live);
  }

  readonly admit: PipelineStore['admit'];
  readonly noteMerge: PipelineStore['noteMerge'];
  readonly transition: PipelineStore['transition'];
  readonly addCanaryDecision: PipelineStore['addCanaryDecision'];
  readonly putGitLabDeployment: PipelineStore['putGitLabDeployment'];
  readonly finish: PipelineStore['finish'];
  readonly patch: PipelineStore['patch'];
  readonly putStage: PipelineStore['putStage'];
  readonly putStageAttempt: PipelineStore['putStageAttempt'];
  readonly putCanaryStep: PipelineStore['putCanaryStep'];
  readonly endStage: PipelineStore['endStage'];
  readonly releaseLane: PipelineStore['releaseLane'];
  readonly leaveLane: PipelineStore['leaveLane'];
  readonly laneHolder: PipelineStore['laneHolder'];
  readonly nonTerminalIds: PipelineStore['nonTerminalIds'];
  readonly rememberHead: PipelineStore['rememberHead'];
  readonly headOf: PipelineStore['headOf'];
  readonly rememberProject: PipelineStore['rememberProject'];
  readonly project: PipelineStore['project'];
  readonly countByStatus: PipelineStore['countByStatus'];

  async get(id: string): Promise<PipelineRecord | undefined> {
    return (await this.#live.get(id)) ?? this.#history.get(id);
  }

  async list(filter: PipelineFilter, limit: number, cursor?: string): Promise<MergedPipelinePage> {
    const before = cursor === undefined ? undefined : Number.parseInt(cursor, 36);
    const live = await this.#live.list(filter, limit, cursor);
    const liveSeqs = await this.#seqs(live.items.map((p) => p.id));
    const merged = live.items.map((record, i) => ({ record, seq: liveSeqs[i] ?? 0 }));
    let unavailable = false;
    try {
      const known = new Set(live.items.map((p) => p.id));
      for (const archived of await this.#history.list(filter, limit, before)) {
        // During its move a pipeline is in both stores: it counts once.
        if (!known.has(archived.record.id)) merged.push(archived);
      }
    } catch (err) {
      unavailable = true;
      this.#logger.warn(
        { err: (err as Error).message },
        'archive: listing archived pipelines failed; live ones only',
      );
    }
    merged.sort((a, b) => b.seq - a.seq);
    // Redis stopped scanning early (a sparse filter): nothing past where it stopped is certain yet.
    const liveStop = live.nextCursor === undefined ? undefined : Number.parseInt(live.nextCursor, 36);
    let items = liveStop === undefined ? merged : merged.filter((p) => p.seq >= liveStop);
    items = items.slice(0, limit);
    const page: MergedPipelinePage = { items: items.map((p) => p.record) };
    const last = items.at(-1);
    if (items.length === limit && last !== undefined) page.nextCursor = last.seq.toString(36);
    else if (liveStop !== undefined) page.nextCursor = live.nextCursor;
    if (unavailable) page.archive = 'unavailable';
    return page;
  }

  async #seqs(ids: readonly string[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.hget(this.#keys.pipeline(id), 'seq');
    return ((await pipe.exec()) ?? []).map(([, value]) => Number(value ?? 0));
  }
}
