import type { GitLabDeploymentRecord, Logger, PipelineRecord } from '@ferry/shared';
import { abortable } from '../../abort/abortable.js';
import type { Delivery, DeliveryResult, Reporter, Transition } from '../../reporting/reporter.js';
import type { ReportingMetrics } from '../../reporting/reporting-metrics.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { GitLabApi } from '../api/gitlab-api.js';
import { classifyGitLabError } from '../api/gitlab-errors.js';
import { type DeploymentItem, deploymentItemsFor, externalUrlOf } from './deployment-plan.js';

export interface GitLabDeploymentReporterOptions {
  api: GitLabApi;
  store: Pick<PipelineStore, 'get' | 'putGitLabDeployment'>;
  logger: Logger;
  metrics: ReportingMetrics;
}

interface EnvironmentAnswer {
  id: number;
  name: string;
  external_url: string | null;
}

/**
 * GitLab's Environments page and merge request widget: a deployment per deploy through the
 * Deployments API (`POST /projects/:id/deployments` running, then `PUT …/:deployment_id` success /
 * failed / canceled), the environment created first when missing, with the ingress host as its
 * external URL. GitLab's deployment ids are recorded on the pipeline (`gitlabDeployments`). One
 * channel per project and environment, so a deployment's start precedes its end.
 */
export class GitLabDeploymentReporter implements Reporter<DeploymentItem> {
  readonly name = 'gitlab-deployments';
  readonly #o: GitLabDeploymentReporterOptions;
  /** `<project>:<environment>` → the environment as GitLab has it. */
  readonly #environments = new Map<string, EnvironmentAnswer>();

  constructor(options: GitLabDeploymentReporterOptions) {
    this.#o = options;
  }

  async plan(transition: Transition, pipeline: PipelineRecord): Promise<Delivery<DeploymentItem>[]> {
    return deploymentItemsFor(transition, pipeline).map((item) => ({
      channel: `${item.projectId}:${item.environment}`,
      item,
    }));
  }

  async deliver(
    _channel: string,
    items: readonly DeploymentItem[],
    signal: AbortSignal,
  ): Promise<DeliveryResult> {
    const item = items[0];
    if (item === undefined || typeof item.projectId !== 'number') {
      return { kind: 'failed', count: 1, reason: 'an unreadable queued deployment' };
    }
    const where = { project: item.project, environment: item.environment, sha: item.sha, op: item.op };
    try {
      const record = await this.#o.store.get(item.pipelineId);
      const open = [...(record?.gitlabDeployments ?? [])]
        .reverse()
        .find(
          (d) =>
            d.status === 'running' &&
            d.kind === item.kind &&
            d.sha === item.sha &&
            d.environment === item.environment &&
            d.step === item.step,
        );
      if (item.op === 'start') {
        // A stage records `running` again when its runner is known or a crashed attempt restarts.
        if (open !== undefined) return this.#done();
        await this.#ensureEnvironment(item, record, signal);
        const id = await this.#create(item, 'running', signal);
        await this.#record(item.pipelineId, {
          id,
          environment: item.environment,
          kind: item.kind,
          ...(item.step === undefined ? {} : { step: item.step }),
          sha: item.sha,
          status: 'running',
        });
      } else {
        if (open === undefined) {
          // Never started in GitLab (a rollback, or a start that was dropped): one finished deployment.
          await this.#ensureEnvironment(item, record, signal);
          const id = await this.#create(item, item.status, signal);
          await this.#record(item.pipelineId, {
            id,
            environment: item.environment,
            kind: item.kind,
            ...(item.step === undefined ? {} : { step: item.step }),
            sha: item.sha,
            status: item.status,
          });
        } else {
          await abortable(this.#o.api.Deployments.edit(item.projectId, open.id, item.status), signal);
          await this.#record(item.pipelineId, { ...open, status: item.status });
        }
      }
    } catch (err) {
      if (signal.aborted) return { kind: 'retry', afterMs: 0, reason: 'aborted' };
      const failure = classifyGitLabError(err);
      if (failure.kind === 'retry') {
        this.#o.metrics.send(this.name, 'retry');
        return { kind: 'retry', afterMs: failure.retryAfterMs ?? 0, reason: `GitLab: ${failure.message}` };
      }
      this.#o.metrics.send(this.name, 'rejected');
      const status = 'status' in failure ? failure.status : undefined;
      this.#o.logger.error(
        { ...where, status, gitlab: failure.message },
        'gitlab: deployment refused; dropped',
      );
      return { kind: 'failed', count: 1, reason: failure.message };
    }
    this.#o.metrics.send(this.name, 'sent');
    return { kind: 'done', count: 1 };
  }

  #done(): DeliveryResult {
    this.#o.metrics.send(this.name, 'skipped');
    return { kind: 'done', count: 1 };
  }

  async #create(
    item: DeploymentItem,
    status: GitLabDeploymentRecord['status'],
    signal: AbortSignal,
  ): Promise<number> {
    const created = (await abortable(
      this.#o.api.Deployments.create(item.projectId, item.environment, item.sha, item.ref, false, { status }),
      signal,
    )) as { id?: unknown };
    if (typeof created.id !== 'number') throw new Error('GitLab answered a deployment without an id');
    return created.id;
  }

  /** The environment exists, with the ingress host as its external URL when Ferry knows it. */
  async #ensureEnvironment(
    item: DeploymentItem,
    record: PipelineRecord | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const key = `${item.projectId}:${item.environment}`;
    // A canary step's environment has no external URL of its own (its traffic is the main host's).
    const url = record === undefined || item.kind === 'canary' ? undefined : externalUrlOf(record);
    let env = this.#environments.get(key);
    if (env === undefined) {
      const found = (await abortable(
        this.#o.api.Environments.all(item.projectId, { name: item.environment }),
        signal,
      )) as EnvironmentAnswer[];
      env = found.find((e) => e.name === item.environment);
      if (env === undefined) {
        env = (await abortable(
          this.#o.api.Environments.create(
            item.projectId,
            item.environment,
            url === undefined ? {} : { externalUrl: url },
          ),
          signal,
        )) as EnvironmentAnswer;
      }
    }
    if (url !== undefined && env.external_url !== url) {
      env = (await abortable(
        this.#o.api.Environments.edit(item.projectId, env.id, { externalUrl: url }),
        signal,
      )) as EnvironmentAnswer;
    }
    this.#environments.set(key, env);
  }

  async #record(pipelineId: string, deployment: GitLabDeploymentRecord): Promise<void> {
    await this.#o.store.putGitLabDeployment(pipelineId, deployment);
  }
}
