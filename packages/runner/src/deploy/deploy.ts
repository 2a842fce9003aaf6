import {
  type DeploymentManifest,
  FerryError,
  type ManifestInputs,
  ReleaseErrors,
  releaseMetadata,
  renderManifests,
} from '@ferry/shared';
import type { V1Deployment } from '@kubernetes/client-node';
import type { OutputLines } from '../command/output-lines.js';
import { apiFailure } from './api-error.js';
import { applyObject, describeObject, readObject } from './apply.js';
import { deleteCanary, runCanarySteps } from './canary.js';
import type { DeployJob } from './deploy-env.js';
import type { KubeClients } from './kube-clients.js';
import { deploymentImage, type PreviousRelease, previousRelease } from './previous-release.js';
import { pruneUndeclared } from './prune.js';
import { ReleaseFailure } from './release-failure.js';
import { type RolledOut, rollOut } from './roll-out.js';

/**
 * Change pod for one plan: renders the environment's objects, applies them by server-side apply
 * (the first deploy creates them, later ones change what differs), rolls the Deployment out —
 * through the canary steps when the plan has them and a version already runs — and rolls back
 * when the rollout fails. Returns the result line's fields, with `previous` (what a rollback returns
 * to, read from the cluster: the orchestrator records the manifests with it); throws
 * FerryError/ReleaseFailure, the latter with `previous` in its result fields too.
 */
export async function runDeploy(
  job: DeployJob,
  c: KubeClients,
  out: OutputLines,
  signal: AbortSignal,
): Promise<RolledOut & { previous: PreviousRelease | null }> {
  const { plan } = job;
  let current: V1Deployment | undefined;
  try {
    current = (await readObject(c, 'Deployment', plan.names.deployment, plan.namespace, signal)) as
      | V1Deployment
      | undefined;
  } catch (err) {
    signal.throwIfAborted();
    const failure = apiFailure(err);
    // A namespace that does not exist yet reads as 404 (handled); 403 here is RBAC.
    throw new FerryError(
      ReleaseErrors.RELEASE_CLUSTER_UNREACHABLE,
      { server: c.server, reason: failure.message },
      { cause: err },
    );
  }
  const previous = previousRelease(current, plan.service, job.image);
  try {
    return { ...(await applyAndRollOut(job, c, current, previous, out, signal)), previous };
  } catch (err) {
    // The orchestrator records the manifests with the previous release this deploy annotated.
    if (err instanceof ReleaseFailure) Object.assign(err.result, { previous });
    throw err;
  }
}

async function applyAndRollOut(
  job: DeployJob,
  c: KubeClients,
  current: V1Deployment | undefined,
  previous: PreviousRelease | null,
  out: OutputLines,
  signal: AbortSignal,
): Promise<RolledOut> {
  const { plan } = job;
  const meta = releaseMetadata(plan, job.meta);
  const inputs: ManifestInputs = { image: job.image, registry: job.registry, meta, previous };
  const objects = renderManifests(plan, inputs);
  out.line(
    current === undefined
      ? `first deploy of ${plan.service} to ${plan.namespace}: ${job.image}`
      : `deploying ${job.image} to ${plan.namespace}/${plan.service} (running ${deploymentImage(current, plan.service) ?? 'nothing'})`,
  );

  let deployment: DeploymentManifest | undefined;
  // Whether anything changed: a repeated deploy (a stage run again after a crash) applies the
  // same objects, which server-side apply leaves as they are; the log then says it was a no-op.
  let changed = 0;
  for (const object of objects) {
    if (object.kind === 'Deployment') {
      deployment = object;
      continue;
    }
    try {
      if ((await applyObject(c, object, out, signal)).action !== 'unchanged') changed += 1;
    } catch (err) {
      // Without the right to manage namespaces, Ferry uses the one the operators created.
      if (object.kind !== 'Namespace' || !(err instanceof FerryError) || !/\b403\b/.test(err.message))
        throw err;
      out.line(
        `${describeObject(object)} not applied (${err.message}); using it as the operators created it`,
      );
    }
  }
  if (deployment === undefined) throw new Error('renderManifests returned no Deployment');
  changed += (await pruneUndeclared(c, plan, out, signal)).deleted;

  const progressDeadlineMs = plan.deploy.rollout.progressDeadlineMs;
  const canary =
    plan.canary !== null &&
    current !== undefined &&
    plan.deploy.replicas > 0 &&
    deploymentImage(current, plan.service) !== job.image;
  if (plan.canary !== null && !canary)
    out.line(
      current === undefined
        ? 'no canary on a first deploy: nothing runs yet to compare with'
        : 'no canary: the image does not change or the service runs no replicas',
    );
  if (!canary) {
    // The Deployment's generation moves only when its spec does (a new rollout); metadata-only
    // writes (another field manager's annotations) leave it.
    let generation: number | undefined;
    const rolled = await rollOut(
      c,
      deployment,
      meta,
      previous,
      progressDeadlineMs,
      out,
      signal,
      (applied) => {
        generation = applied.action === 'created' ? undefined : applied.object.metadata?.generation;
      },
    );
    if (changed === 0 && generation !== undefined && generation === current?.metadata?.generation)
      out.line(
        `nothing changed: ${job.image} already runs in ${plan.namespace}/${plan.service} as applied (Deployment generation ${generation}, no new rollout): server-side apply of the same release is a no-op`,
      );
    return rolled;
  }

  try {
    await runCanarySteps(
      c,
      { plan, inputs, running: deploymentImage(current, plan.service) ?? 'nothing', mode: job.canaryPromote },
      out,
      signal,
    );
    out.line(`canary promoted: rolling ${plan.names.deployment} out to ${job.image}`);
    return await rollOut(c, deployment, meta, previous, progressDeadlineMs, out, signal);
  } finally {
    // Promoted, aborted, failed or canceled: the canary never outlives the deploy.
    await deleteCanary(c, plan, out, signal.aborted ? AbortSignal.timeout(30_000) : signal).catch(
      (err: Error) => out.line(`could not delete the canary Deployment: ${err.message}`),
    );
  }
}
