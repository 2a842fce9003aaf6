import { AnnotationKey, type GitLabDeploymentRecord, type PipelineRecord } from '@ferry/shared';
import type { Transition } from '../../reporting/reporter.js';

export type DeploymentStatus = GitLabDeploymentRecord['status'];

/** What to tell GitLab's Deployments API about one pipeline's deploy. */
export type DeploymentItem =
  | {
      op: 'start';
      pipelineId: string;
      projectId: number;
      project: string;
      environment: string;
      sha: string;
      ref: string;
      kind: GitLabDeploymentRecord['kind'];
      /** The canary step, for kind `canary`. */
      step?: number;
    }
  | {
      op: 'finish';
      pipelineId: string;
      projectId: number;
      project: string;
      environment: string;
      sha: string;
      ref: string;
      kind: GitLabDeploymentRecord['kind'];
      step?: number;
      status: Exclude<DeploymentStatus, 'running'>;
    };

/** The GitLab environment canary steps of `environment` are deployed to (a folder of it in GitLab). */
export function canaryEnvironmentOf(environment: string): string {
  return `${environment}/canary`;
}

const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/**
 * The deployment items a transition asks for. Pure. The deploy stage starting is a deployment
 * `running`; its end is `success`, `failed` or `canceled`. A rollback pipeline's deploy is a
 * deployment of kind `rollback`; so is the automatic rollback after a failed rollout when the
 * runner names the commit it went back to (GitLab then shows that commit as deployed again).
 */
export function deploymentItemsFor(transition: Transition, pipeline: PipelineRecord): DeploymentItem[] {
  if (transition.kind === 'canary') return canaryItemsFor(transition, pipeline);
  if (transition.kind !== 'stage' || transition.stage !== 'deploy') return [];
  const base = {
    pipelineId: pipeline.id,
    projectId: pipeline.project.id,
    project: pipeline.project.path,
    environment: pipeline.environment,
    sha: pipeline.sha,
    ref: pipeline.ref,
    kind: pipeline.rollbackOf === undefined ? ('deploy' as const) : ('rollback' as const),
  };
  switch (transition.status) {
    case 'running':
      return [{ op: 'start', ...base }];
    case 'success':
    case 'canceled':
      return [{ op: 'finish', ...base, status: transition.status }];
    case 'failed': {
      const items: DeploymentItem[] = [{ op: 'finish', ...base, status: 'failed' }];
      const back = pipeline.release?.rolledBackTo;
      if (typeof back === 'string' && FULL_SHA.test(back)) {
        items.push({ op: 'finish', ...base, kind: 'rollback', sha: back, status: 'success' });
      }
      return items;
    }
    default:
      return [];
  }
}

/**
 * A canary step as a deployment of the pipeline's commit to `<environment>/canary`: `running` when
 * its pods are applied, `success` when promoted, `canceled` when someone aborted it, `failed` when
 * it was aborted because its pods were not ready. Pure.
 */
function canaryItemsFor(
  transition: Extract<Transition, { kind: 'canary' }>,
  pipeline: PipelineRecord,
): DeploymentItem[] {
  const base = {
    pipelineId: pipeline.id,
    projectId: pipeline.project.id,
    project: pipeline.project.path,
    environment: canaryEnvironmentOf(pipeline.environment),
    sha: pipeline.sha,
    ref: pipeline.ref,
    kind: 'canary' as const,
    step: transition.step,
  };
  switch (transition.status) {
    case 'running':
      return [{ op: 'start', ...base }];
    case 'promoted':
      return [{ op: 'finish', ...base, status: 'success' }];
    case 'aborted': {
      const by = pipeline.canarySteps?.find((s) => s.step === transition.step)?.by ?? '';
      const decided = by.startsWith(`${AnnotationKey.canaryDecision}: abort`);
      return [{ op: 'finish', ...base, status: decided ? 'canceled' : 'failed' }];
    }
    default:
      return [];
  }
}

/** The ingress host of the deploy's rendered manifests, as the environment's external URL. */
export function externalUrlOf(pipeline: PipelineRecord): string | undefined {
  const ingress = pipeline.manifests?.find((m) => m.kind === 'Ingress');
  const host =
    ingress === undefined ? undefined : /^\s*-?\s*host:\s*["']?([^"'\s#]+)/m.exec(ingress.yaml)?.[1];
  if (host === undefined || host.includes('*')) return undefined;
  const tls = ingress !== undefined && /^\s*tls:/m.test(ingress.yaml);
  return `${tls ? 'https' : 'http'}://${host}`;
}
