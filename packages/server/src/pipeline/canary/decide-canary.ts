import {
  AnnotationKey,
  type CanaryDecisionRecord,
  FerryError,
  PipelineErrors,
  type PipelineRecord,
} from '@ferry/shared';
import {
  AppsV1Api,
  type ConfigurationOptions,
  Observable,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
  type V1Deployment,
} from '@kubernetes/client-node';
import type { ServerContext } from '../../app/server-context.js';
import { loadKubeConfig } from '../../executors/kubernetes/kube-config.js';
import { type CanaryVerdict, canaryTarget } from './canary-target.js';

/**
 * Promote (the next step now) or abort a running canary: writes the decision to the
 * `ferry.dev/canary-decision` annotation of the canary Deployment, which the deploy stage's runner
 * watches (packages/runner/src/deploy/canary.ts). Through the cluster credentials the deploy stage
 * gets (deploy.environments.<env>, deploy.kubeconfig, else in-cluster). Who decided is logged.
 */
export async function decideCanary(
  ctx: ServerContext,
  id: string,
  verdict: CanaryVerdict,
  by: string,
  signal: AbortSignal,
): Promise<PipelineRecord> {
  const pipeline = await ctx.store.get(id);
  if (pipeline === undefined) throw new FerryError(PipelineErrors.PIPELINE_NOT_FOUND, { id });
  const target = canaryTarget(pipeline);
  if (!target.ok)
    throw new FerryError(PipelineErrors.PIPELINE_NO_CANARY_STEP, {
      id,
      decision: verdict,
      reason: target.reason,
    });
  const cluster = ctx.config.deploy.environments[pipeline.environment] ?? {};
  const kubeconfig = cluster.kubeconfig ?? ctx.config.deploy.kubeconfig;
  const context = cluster.context ?? ctx.config.deploy.context;
  const kc = loadKubeConfig({
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    ...(context === undefined ? {} : { context }),
  });
  const apps = kc.makeApiClient(AppsV1Api);
  let patched: V1Deployment;
  try {
    patched = await apps.patchNamespacedDeployment(
      {
        name: target.name,
        namespace: target.namespace,
        body: { metadata: { annotations: { [AnnotationKey.canaryDecision]: verdict } } },
        fieldManager: 'ferry-canary-decision',
      },
      mergePatch(signal),
    );
  } catch (err) {
    if ((err as { code?: number }).code === 404)
      throw new FerryError(PipelineErrors.PIPELINE_NO_CANARY_STEP, {
        id,
        decision: verdict,
        reason: `the canary Deployment ${target.namespace}/${target.name} is not there (yet, or any more)`,
      });
    throw err;
  }
  ctx.logger.info(
    { pipelineId: id, canary: `${target.namespace}/${target.name}`, verdict, by },
    'canary decision written',
  );
  // The audit trail's canary step: who decided what, when, on which step.
  const decision: CanaryDecisionRecord = { verdict, by, at: new Date().toISOString() };
  const step = patched.metadata?.annotations?.[AnnotationKey.canaryStep];
  if (step !== undefined) decision.step = step;
  await ctx.store.addCanaryDecision(id, decision);
  return { ...pipeline, canaryDecisions: [...(pipeline.canaryDecisions ?? []), decision] };
}

/** A JSON merge patch (the annotation alone), aborted with the request. */
function mergePatch(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (request: RequestContext) => {
          request.setSignal(signal);
          request.setHeaderParam('Content-Type', PatchStrategy.MergePatch);
          return new Observable(Promise.resolve(request));
        },
        post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}
