import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import type { ManifestInputs } from './inputs.js';
import { AnnotationKey, releaseAnnotations, serviceLabels, type Track, trackSelector } from './labels.js';
import { buildPodTemplate } from './pod-template.js';
import type { DeploymentManifest } from './types.js';

/** ReplicaSets kept per Deployment: a rollback goes to one of them. */
export const REVISION_HISTORY_LIMIT = 10;

function deploymentAnnotations(inputs: ManifestInputs): Record<string, string> {
  const annotations = releaseAnnotations(inputs.meta, inputs.image);
  const previous = inputs.previous;
  if (previous !== undefined && previous !== null) {
    annotations[AnnotationKey.previousImage] = previous.image;
    if (previous.commit !== null) annotations[AnnotationKey.previousCommit] = previous.commit;
  }
  return annotations;
}

function deployment(
  plan: ResolvedPlan,
  inputs: ManifestInputs,
  track: Track,
  name: string,
  replicas: number,
): DeploymentManifest {
  const rollout = plan.deploy.rollout;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: plan.namespace,
      labels: { ...serviceLabels(plan), ...trackSelector(plan, track) },
      annotations: deploymentAnnotations(inputs),
    },
    spec: {
      replicas,
      revisionHistoryLimit: REVISION_HISTORY_LIMIT,
      progressDeadlineSeconds: Math.max(1, Math.ceil(rollout.progressDeadlineMs / 1000)),
      selector: { matchLabels: trackSelector(plan, track) },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: rollout.maxSurge, maxUnavailable: rollout.maxUnavailable },
      },
      template: buildPodTemplate(plan, inputs, track),
    },
  };
}

/** The service's Deployment (`<service>`), the pods the Service sends traffic to. */
export function buildDeployment(plan: ResolvedPlan, inputs: ManifestInputs): DeploymentManifest {
  return deployment(plan, inputs, 'stable', plan.names.deployment, plan.deploy.replicas);
}

/**
 * Canary pods for a step of `percent`: ⌈replicas × percent / 100⌉, at least one. The main
 * Deployment keeps all its replicas meanwhile, so the canary takes about canary / (main + canary)
 * of the traffic and an abort only removes pods.
 */
export function canaryReplicas(replicas: number, percent: number): number {
  return Math.max(1, Math.ceil((replicas * percent) / 100));
}

/**
 * The canary Deployment (`<service>-canary`): the new image with the main Deployment's pod
 * template, its own selector (track `canary`), and the Service's labels, so the Service sends it
 * a share of the traffic.
 */
export function buildCanaryDeployment(
  plan: ResolvedPlan,
  inputs: ManifestInputs,
  step: { index: number; percent: number },
): DeploymentManifest {
  const steps = plan.canary?.steps.length ?? 1;
  const manifest = deployment(
    plan,
    { ...inputs, previous: null },
    'canary',
    plan.names.canaryDeployment,
    canaryReplicas(plan.deploy.replicas, step.percent),
  );
  manifest.metadata.annotations = {
    ...manifest.metadata.annotations,
    [AnnotationKey.canaryStep]: `${step.index + 1}/${steps} ${step.percent}%`,
  };
  return manifest;
}
