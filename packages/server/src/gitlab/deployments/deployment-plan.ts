import type { GitLabDeploymentRecord, PipelineRecord } from '@ferry/shared';
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
      status: Exclude<DeploymentStatus, 'running'>;
    };

const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/**
 * The deployment items a transition asks for. Pure. The deploy stage starting is a deployment
 * `running`; its end is `success`, `failed` or `canceled`. A rollback pipeline's deploy is a
 * deployment of kind `rollback`; so is the automatic rollback after a failed rollout when the
 * runner names the commit it went back to (GitLab then shows that commit as deployed again).
 */
export function deploymentItemsFor(transition: Transition, pipeline: PipelineRecord): DeploymentItem[] {
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

/** The ingress host of the deploy's rendered manifests, as the environment's external URL. */
export function externalUrlOf(pipeline: PipelineRecord): string | undefined {
  const ingress = pipeline.manifests?.find((m) => m.kind === 'Ingress');
  const host =
    ingress === undefined ? undefined : /^\s*-?\s*host:\s*["']?([^"'\s#]+)/m.exec(ingress.yaml)?.[1];
  if (host === undefined || host.includes('*')) return undefined;
  const tls = ingress !== undefined && /^\s*tls:/m.test(ingress.yaml);
  return `${tls ? 'https' : 'http'}://${host}`;
}
