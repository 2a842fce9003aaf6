import {
  AnnotationKey,
  buildCanaryDeployment,
  type CanaryStepProgress,
  formatProgressLine,
  type ManifestInputs,
  ReleaseErrors,
  type ResolvedPlan,
} from '@ferry/shared';
import { PatchStrategy, type V1Deployment } from '@kubernetes/client-node';
import type { OutputLines } from '../command/output-lines.js';
import { isNotFound } from './api-error.js';
import { applyObject, FIELD_MANAGER } from './apply.js';
import { canaryDecision, trafficShare } from './canary-decision.js';
import { callOptions, type KubeClients } from './kube-clients.js';
import { describeFailingPods } from './pod-diagnostics.js';
import { ReleaseFailure } from './release-failure.js';
import { currentReplicaSet, replicaSetsOf } from './replica-sets.js';
import { waitForRollout } from './wait-rollout.js';
import { watchUntil } from './watch-until.js';

export interface CanaryContext {
  readonly plan: ResolvedPlan;
  readonly inputs: ManifestInputs;
  /** What the main Deployment runs now (for messages when aborting). */
  readonly running: string;
  readonly mode: 'auto' | 'manual';
}

/**
 * The canary steps below 100%: for each, the canary Deployment (`<service>-canary`, the new
 * image, ⌈replicas × step⌉ pods sharing the Service) is applied and must become ready, then the
 * step is watched for its pause (or, in manual mode, until a decision). Returns when every step
 * was promoted; the caller then rolls the main Deployment out and deletes the canary. Throws a
 * ReleaseFailure (RELEASE_CANARY_ABORTED) when a step is aborted; the main Deployment is untouched.
 */
export async function runCanarySteps(
  c: KubeClients,
  ctx: CanaryContext,
  out: OutputLines,
  signal: AbortSignal,
): Promise<void> {
  const { plan } = ctx;
  const canary = plan.canary;
  if (canary === null) return;
  const steps = canary.steps.filter((p) => p < 100);
  const namespace = plan.namespace;
  const name = plan.names.canaryDeployment;
  for (const [index, percent] of steps.entries()) {
    const label = `${index + 1}/${canary.steps.length} (${percent}%)`;
    // The server records each step as it happens (GitLab shows it as a deployment).
    const progress = (state: CanaryStepProgress['state'], by?: string) =>
      out.line(
        formatProgressLine({
          canary: {
            step: index + 1,
            of: canary.steps.length,
            percent,
            state,
            ...(by === undefined ? {} : { by }),
          },
        }),
      );
    const manifest = buildCanaryDeployment(plan, ctx.inputs, { index, percent });
    await applyObject(c, manifest, out, signal);
    progress('running');
    const pods = manifest.spec.replicas;
    out.line(
      `canary step ${label}: ${pods} canary pod(s) beside ${plan.deploy.replicas}, about ${trafficShare(pods, plan.deploy.replicas)}% of the traffic`,
    );
    const ready = await waitForRollout(
      c,
      namespace,
      name,
      plan.deploy.rollout.progressDeadlineMs,
      out,
      signal,
    );
    if (!ready.ok) {
      const failed = ready.deployment;
      if (failed !== undefined) {
        const rs = currentReplicaSet(failed, await replicaSetsOf(c, failed, signal));
        if (rs !== undefined) await describeFailingPods(c, rs, out, signal);
      }
      const reason = `the canary pods did not become ready: ${ready.reason}`;
      progress('aborted', reason.slice(0, 500));
      throw aborted(ctx, label, reason);
    }
    out.line(
      ctx.mode === 'manual'
        ? `canary step ${label} is ready; waiting for ${AnnotationKey.canaryDecision}: promote or abort on Deployment ${namespace}/${name}`
        : `canary step ${label} is ready; watching it for ${Math.round(canary.pauseMs / 1000)}s (${AnnotationKey.canaryDecision}: promote or abort decides earlier)`,
    );
    const started = Date.now();
    const decision = await watchUntil<V1Deployment, ReturnType<typeof canaryDecision>>({
      kc: c.kc,
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      name,
      signal,
      read: async () => {
        try {
          return await c.apps.readNamespacedDeployment({ name, namespace }, callOptions(signal));
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
      decide: (d) => canaryDecision(d, ctx.mode, Date.now() - started >= canary.pauseMs),
    });
    if (decision === undefined || decision.decision === 'abort') {
      progress('aborted', (decision?.by ?? 'aborted').slice(0, 500));
      throw aborted(ctx, label, decision?.by ?? 'aborted');
    }
    out.line(`canary step ${label} promoted: ${decision.by}`);
    progress('promoted', decision.by.slice(0, 500));
    await clearDecision(c, namespace, name, signal);
  }
}

/** Removes a consumed decision, so the next step waits for its own. */
async function clearDecision(
  c: KubeClients,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<void> {
  await c.apps.patchNamespacedDeployment(
    {
      name,
      namespace,
      body: { metadata: { annotations: { [AnnotationKey.canaryDecision]: null } } },
      fieldManager: `${FIELD_MANAGER}-canary`,
    },
    callOptions(signal, PatchStrategy.MergePatch),
  );
}

function aborted(ctx: CanaryContext, step: string, reason: string): ReleaseFailure {
  return new ReleaseFailure(
    ReleaseErrors.RELEASE_CANARY_ABORTED,
    {
      deployment: ctx.plan.names.deployment,
      namespace: ctx.plan.namespace,
      step,
      reason,
      current: ctx.running,
    },
    { aborted: step, running: ctx.running, failed: ctx.inputs.image },
  );
}

/** Deletes the canary Deployment (its pods go with it); absent is fine. */
export async function deleteCanary(
  c: KubeClients,
  plan: ResolvedPlan,
  out: OutputLines,
  signal: AbortSignal,
): Promise<void> {
  try {
    await c.apps.deleteNamespacedDeployment(
      { name: plan.names.canaryDeployment, namespace: plan.namespace, propagationPolicy: 'Background' },
      callOptions(signal),
    );
    out.line(`Deployment ${plan.namespace}/${plan.names.canaryDeployment} deleted`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
