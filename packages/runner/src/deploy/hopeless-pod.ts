import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/** Waiting reasons that no amount of waiting heals: the pod is hopeless as soon as one is seen. */
export const HOPELESS_AT_ONCE: ReadonlySet<string> = new Set([
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/** When a failing pod of a new ReplicaSet counts as hopeless (docs/release.md, "Failing fast"). */
export interface FastFailureThresholds {
  /** An image pull failing (ErrImagePull) for this long, across the kubelet's retries. */
  readonly pullGraceMs: number;
  /** A container in CrashLoopBackOff that has restarted at least this often. */
  readonly crashLoopRestarts: number;
  /** A container whose last run ended OOMKilled and that has restarted at least this often. */
  readonly oomKilledRestarts: number;
}

export const FAST_FAILURE: FastFailureThresholds = {
  pullGraceMs: 30_000,
  crashLoopRestarts: 3,
  oomKilledRestarts: 2,
};

export interface PodJudgement {
  /** Why the pod can never become ready; undefined while it still may. */
  readonly hopeless: string | undefined;
  /** Since when (ms) each container's image pull has been failing; give it to the next call. */
  readonly pullFailingSince: ReadonlyMap<string, number>;
}

const PULL_FAILURES: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff']);

function withMessage(text: string, message: string | undefined): string {
  return message === undefined || message === '' ? text : `${text}: ${message}`;
}

function containerVerdict(
  kind: string,
  s: V1ContainerStatus,
  pullSince: number | undefined,
  now: number,
  t: FastFailureThresholds,
): string | undefined {
  const who = `${kind} ${s.name}`;
  const waiting = s.state?.waiting;
  const reason = waiting?.reason ?? '';
  if (HOPELESS_AT_ONCE.has(reason)) return withMessage(`${who} ${reason}`, waiting?.message);
  // ImagePullBackOff: a pull failed and the kubelet backs off before the next one.
  if (reason === 'ImagePullBackOff') return withMessage(`${who} ${reason}`, waiting?.message);
  if (reason === 'ErrImagePull' && pullSince !== undefined && now - pullSince >= t.pullGraceMs)
    return withMessage(`${who} ErrImagePull for ${Math.round((now - pullSince) / 1000)}s`, waiting?.message);
  const ended = s.state?.terminated ?? s.lastState?.terminated;
  if (
    s.state?.running === undefined &&
    ended?.reason === 'OOMKilled' &&
    s.restartCount >= t.oomKilledRestarts
  )
    return `${who} OOMKilled again after ${s.restartCount} restart(s): it needs more than its memory limit`;
  if (reason === 'CrashLoopBackOff' && s.restartCount >= t.crashLoopRestarts) {
    const last = s.lastState?.terminated;
    const exit =
      last === undefined ? '' : ` (last exit code ${last.exitCode}${last.reason ? `, ${last.reason}` : ''})`;
    return `${who} CrashLoopBackOff after ${s.restartCount} restarts${exit}`;
  }
  return undefined;
}

/**
 * Whether a pod of a new ReplicaSet can never become ready, from its init and main containers'
 * states: a waiting reason of HOPELESS_AT_ONCE or ImagePullBackOff at once; ErrImagePull once
 * the pull has failed for `pullGraceMs` (tracked in `pullFailingSince`, keyed by container);
 * CrashLoopBackOff after `crashLoopRestarts` restarts; a container not running whose last run was
 * OOMKilled, after `oomKilledRestarts` restarts. A pod being deleted is never judged. Pure.
 */
export function judgePod(
  pod: V1Pod,
  pullFailingSince: ReadonlyMap<string, number>,
  now: number,
  t: FastFailureThresholds = FAST_FAILURE,
): PodJudgement {
  const since = new Map<string, number>();
  let hopeless: string | undefined;
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []).map((s) => ['init container', s] as const),
    ...(pod.status?.containerStatuses ?? []).map((s) => ['container', s] as const),
  ];
  for (const [kind, s] of statuses) {
    const key = `${kind}/${s.name}`;
    const pulling = PULL_FAILURES.has(s.state?.waiting?.reason ?? '');
    if (pulling) since.set(key, pullFailingSince.get(key) ?? now);
    hopeless ??= containerVerdict(kind, s, since.get(key), now, t);
  }
  if (pod.metadata?.deletionTimestamp !== undefined) hopeless = undefined;
  return { hopeless, pullFailingSince: since };
}
