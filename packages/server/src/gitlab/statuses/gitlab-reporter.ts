import { FerryError, type Logger, type PipelineRecord, ReportingErrors } from '@ferry/shared';
import type { Delivery, DeliveryResult, Reporter, Transition } from '../../reporting/reporter.js';
import { commitStatusChannel } from '../../reporting/reporting-keys.js';
import type { ReportingMetrics } from '../../reporting/reporting-metrics.js';
import { classifyGitLabError } from '../api/gitlab-errors.js';
import type { GitLabVersion } from '../api/gitlab-version.js';
import { type StatusLinks, type StatusUpdate, statusUpdatesFor } from './commit-status.js';
import type { ExternalPipelineIds } from './external-pipeline-ids.js';
import type { GitLabStatusClient } from './gitlab-status-client.js';
import type { LastPostedStates } from './last-posted-states.js';
import { shouldPost, stateToSend } from './post-decision.js';

export interface GitLabReporterOptions {
  client: GitLabStatusClient;
  lastStates: LastPostedStates;
  links: StatusLinks;
  logger: Logger;
  metrics: ReportingMetrics;
  /** GitLab's version: whether `skipped` may be sent. */
  version: GitLabVersion;
  /** The external pipeline each Ferry pipeline's statuses go to (`pipeline_id`). */
  pipelineIds: ExternalPipelineIds;
}

/**
 * Commit statuses on GitLab: `ferry` for the pipeline and `ferry/<stage>` per stage, one channel
 * per commit so they arrive in order. A state already posted is not posted again; GitLab's
 * "Cannot transition status" counts as done; 429/5xx are retried with backoff; 401/403/404 are
 * configuration problems, logged loudly once and not retried.
 */
export class GitLabReporter implements Reporter<StatusUpdate> {
  readonly name = 'gitlab';
  readonly #o: GitLabReporterOptions;
  /** Refusals already logged loudly: `401`, or `403 <project>` / `404 <project>`. */
  readonly #reported = new Set<string>();

  constructor(options: GitLabReporterOptions) {
    this.#o = options;
  }

  async plan(transition: Transition, pipeline: PipelineRecord): Promise<Delivery<StatusUpdate>[]> {
    return statusUpdatesFor(transition, pipeline, this.#o.links).map((item) => ({
      channel: commitStatusChannel(pipeline.project.id, pipeline.sha),
      item,
    }));
  }

  async deliver(
    _channel: string,
    items: readonly StatusUpdate[],
    signal: AbortSignal,
  ): Promise<DeliveryResult> {
    const { lastStates, logger, metrics } = this.#o;
    const update = items[0] as StatusUpdate;
    if (typeof update?.projectId !== 'number' || typeof update.sha !== 'string') {
      return { kind: 'failed', count: 1, reason: 'an unreadable queued status' };
    }
    const last = await lastStates.get(update.projectId, update.sha, update.ref, update.name);
    const state = stateToSend(update.state, last, await this.#o.version.acceptsSkipped(signal));
    if (!shouldPost(last, state)) {
      metrics.send(this.name, 'skipped');
      return { kind: 'done', count: 1 };
    }
    const known = await this.#o.pipelineIds.get(update.pipelineId);
    try {
      const into = await this.#o.client.post(update, state, known, signal);
      if (known === undefined && into !== undefined)
        await this.#o.pipelineIds.remember(update.pipelineId, into);
    } catch (err) {
      const failure = classifyGitLabError(err);
      const where = { project: update.project, sha: update.sha, name: update.name, state };
      switch (failure.kind) {
        case 'transition':
          // GitLab already has this state (or one past it): nothing more to do for this step.
          metrics.send(this.name, 'duplicate');
          logger.debug({ ...where, gitlab: failure.message }, 'gitlab: status already there');
          await lastStates.set(
            update.projectId,
            update.sha,
            update.ref,
            update.name,
            failure.current ?? state,
          );
          return { kind: 'done', count: 1 };
        case 'retry':
          metrics.send(this.name, 'retry');
          return {
            kind: 'retry',
            afterMs: failure.retryAfterMs ?? 0,
            reason: `GitLab: ${failure.message}`,
          };
        case 'refused': {
          metrics.send(this.name, 'rejected');
          const error = new FerryError(ReportingErrors.GITLAB_STATUS_REFUSED, {
            ...where,
            status: failure.status,
            reason: failure.message,
          });
          // Remembered as if posted: the same state (e.g. a stage's second `running` when its runner
          // is recorded) is not tried again.
          await lastStates.set(update.projectId, update.sha, update.ref, update.name, state);
          const key = failure.status === 401 ? '401' : `${failure.status} ${update.projectId}`;
          if (!this.#reported.has(key)) {
            this.#reported.add(key);
            logger.error({ code: error.code, ...where, status: failure.status }, error.message);
          } else {
            logger.debug({ code: error.code, ...where, status: failure.status }, error.message);
          }
          return { kind: 'failed', count: 1, reason: error.message };
        }
        case 'invalid': {
          metrics.send(this.name, 'rejected');
          await lastStates.set(update.projectId, update.sha, update.ref, update.name, state);
          const error = new FerryError(ReportingErrors.GITLAB_STATUS_INVALID, {
            ...where,
            reason: failure.message,
          });
          logger.error({ code: error.code, ...where, status: failure.status }, error.message);
          return { kind: 'failed', count: 1, reason: error.message };
        }
      }
    }
    await lastStates.set(update.projectId, update.sha, update.ref, update.name, state);
    metrics.send(this.name, 'sent');
    // Working again: a later refusal is worth saying loudly again.
    this.#reported.delete('401');
    this.#reported.delete(`403 ${update.projectId}`);
    this.#reported.delete(`404 ${update.projectId}`);
    return { kind: 'done', count: 1 };
  }
}
