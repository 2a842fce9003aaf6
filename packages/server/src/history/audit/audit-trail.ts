import type { Logger } from '@ferry/shared';
import type { PipelineFilter, PipelineStore } from '../../store/pipeline-store.js';
import type { HistoryStore } from '../history-store.js';
import {
  type DeploymentEntry,
  type DeploymentQuery,
  deploymentsOf,
  matchesDeployment,
  mergeDeployments,
} from './deployment-entry.js';

export interface DeploymentPage {
  items: DeploymentEntry[];
  /** Set when the archive could not be read: only the deployments still in Redis are listed. */
  archive?: 'unavailable';
}

/** Pages of live pipelines read at most: Redis holds only recent ones, so this is a bound, not a cut. */
const maxLivePages = 20;

/**
 * Every deploy, rollback and canary step, newest first, from both stores: the archive's audit entries and the
 * pipelines still live in Redis (recent, or waiting for their move).
 */
export class AuditTrail {
  readonly #live: PipelineStore;
  readonly #history: HistoryStore;
  readonly #logger: Logger;

  constructor(live: PipelineStore, history: HistoryStore, logger: Logger) {
    this.#live = live;
    this.#history = history;
    this.#logger = logger;
  }

  async deployments(query: DeploymentQuery): Promise<DeploymentPage> {
    const live = await this.#liveEntries(query);
    try {
      return { items: mergeDeployments(live, await this.#history.deployments(query), query.limit) };
    } catch (err) {
      this.#logger.warn(
        { err: (err as Error).message },
        'audit: the archive could not be read; live entries only',
      );
      return { items: mergeDeployments(live, [], query.limit), archive: 'unavailable' };
    }
  }

  async #liveEntries(query: DeploymentQuery): Promise<DeploymentEntry[]> {
    const filter: PipelineFilter = {};
    if (query.projectId !== undefined) filter.projectId = query.projectId;
    if (query.projectPath !== undefined) filter.projectPath = query.projectPath;
    if (query.environment !== undefined) filter.environment = query.environment;
    const out: DeploymentEntry[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxLivePages; page++) {
      const { items, nextCursor } = await this.#live.list(filter, 200, cursor);
      for (const record of items) {
        for (const entry of deploymentsOf(record)) if (matchesDeployment(entry, query)) out.push(entry);
      }
      if (nextCursor === undefined) break;
      cursor = nextCursor;
    }
    return out;
  }
}
