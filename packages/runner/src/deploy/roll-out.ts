import { type DeploymentManifest, FerryError, ReleaseErrors, type ReleaseMetadata } from '@ferry/shared';
import type { OutputLines } from '../command/output-lines.js';
import { type Applied, applyObject } from './apply.js';
import { callOptions, type KubeClients } from './kube-clients.js';
import { describeFailingPods } from './pod-diagnostics.js';
import type { PreviousRelease } from './previous-release.js';
import { ReleaseFailure } from './release-failure.js';
import { currentReplicaSet, replicaSetsOf, revisionOf, rollbackTarget } from './replica-sets.js';
import { rollbackManifest } from './rollback-manifest.js';
import { waitForRollout } from './wait-rollout.js';

export interface RolledOut {
  readonly deployed: string;
  readonly commit: string;
  readonly revision: number;
  readonly namespace: string;
  readonly deployment: string;
}

/**
 * Applies the Deployment and waits for its rollout. When it fails: the failing pods' reasons and
 * last log lines go to the log, the Deployment goes back to the ReplicaSet that ran before (the
 * previous image), that rollout is waited for, and a ReleaseFailure says what it rolled back to.
 */
export async function rollOut(
  c: KubeClients,
  manifest: DeploymentManifest,
  meta: ReleaseMetadata,
  previous: PreviousRelease | null,
  progressDeadlineMs: number,
  out: OutputLines,
  signal: AbortSignal,
  /** Told what the apply did to the Deployment (the object as stored, created/configured/unchanged). */
  applied?: (result: Applied) => void,
): Promise<RolledOut> {
  const { name, namespace = '' } = manifest.metadata;
  const image = manifest.spec.template.spec.containers[0]?.image ?? '';
  // Applied first, told after: `applied?.(await applyObject(…))` would skip the apply itself when
  // no one listens (an optional call does not evaluate its arguments), as the canary path does.
  const result = await applyObject(c, manifest, out, signal);
  applied?.(result);
  const outcome = await waitForRollout(c, namespace, name, progressDeadlineMs, out, signal);
  if (outcome.ok)
    return {
      deployed: image,
      commit: meta.commit,
      revision: revisionOf(outcome.deployment),
      namespace,
      deployment: name,
    };

  out.line(`rollout of ${name} failed: ${outcome.reason}`);
  const failed =
    outcome.deployment ?? (await c.apps.readNamespacedDeployment({ name, namespace }, callOptions(signal)));
  const sets = await replicaSetsOf(c, failed, signal);
  const failing = currentReplicaSet(failed, sets);
  if (failing !== undefined) await describeFailingPods(c, failing, out, signal);

  const target = rollbackTarget(failed, sets, previous?.image, image);
  const params = { deployment: name, namespace, reason: outcome.reason };
  if (target === undefined)
    throw new ReleaseFailure(ReleaseErrors.RELEASE_ROLLOUT_FAILED_NO_PREVIOUS, params, {
      rolledBackTo: null,
      failed: image,
    });

  const rollback = rollbackManifest(manifest, target, image);
  const to = rollback.commit ?? rollback.image;
  out.line(`rolling back ${name} to ${to} (${rollback.image})`);
  let back: Awaited<ReturnType<typeof waitForRollout>>;
  try {
    await applyObject(c, rollback.manifest, out, signal);
    back = await waitForRollout(c, namespace, name, progressDeadlineMs, out, signal);
  } catch (err) {
    signal.throwIfAborted();
    throw rollbackFailed(
      params,
      to,
      err instanceof FerryError ? err.message : (err as Error).message,
      image,
      err,
    );
  }
  if (!back.ok) throw rollbackFailed(params, to, back.reason, image);
  out.line(`rolled back ${name} to ${to}; it runs ${rollback.image}`);
  throw new ReleaseFailure(
    ReleaseErrors.RELEASE_ROLLOUT_FAILED,
    { ...params, rolledBackTo: to },
    {
      rolledBackTo: rollback.commit,
      image: rollback.image,
      failed: image,
      revision: revisionOf(back.deployment),
    },
  );
}

function rollbackFailed(
  params: { deployment: string; namespace: string; reason: string },
  target: string,
  rollbackReason: string,
  failedImage: string,
  cause?: unknown,
): ReleaseFailure {
  return new ReleaseFailure(
    ReleaseErrors.RELEASE_ROLLBACK_FAILED,
    { ...params, target, rollbackReason },
    { rolledBackTo: null, failed: failedImage },
    cause,
  );
}
