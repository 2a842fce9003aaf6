import { cloneFailureReason } from '@ferry/runner';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { StageResult } from '../executor.js';
import { CACHE_SAVE_CONTAINER, SERVICES_WAIT_CONTAINER } from './pod-extras.js';
import { CLONE_CONTAINER, STEP_CONTAINER } from './pod-spec.js';

/** Waiting reasons that do not heal by waiting: the stage ends at once. */
export const FATAL_WAITING_REASONS: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
]);

/** Waiting reasons that only say the kubelet is on it (no news for the log). */
export const ROUTINE_WAITING_REASONS: ReadonlySet<string> = new Set(['ContainerCreating', 'PodInitializing']);

export interface OutcomeContext {
  /** Ferry asked for this runner to stop (cancel). */
  canceled: boolean;
  /** The stage timeout, for the message when the deadline ends the pod. */
  timeoutSeconds: number;
}

export function containerStatus(pod: V1Pod | undefined, name: string): V1ContainerStatus | undefined {
  const all = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
  return all.find((s) => s.name === name);
}

/** The container runs or ran (its log can be read). */
export function containerStarted(pod: V1Pod | undefined, name: string): boolean {
  const state = containerStatus(pod, name)?.state;
  return state?.running !== undefined || state?.terminated !== undefined;
}

export function containerTerminated(pod: V1Pod | undefined, name: string): boolean {
  return containerStatus(pod, name)?.state?.terminated !== undefined;
}

function withMessage(reason: string, message: string | undefined): string {
  return message === undefined || message === '' ? reason : `${reason}: ${message}`;
}

function fatalWaiting(status: V1ContainerStatus | undefined): string | undefined {
  const waiting = status?.state?.waiting;
  if (waiting?.reason === undefined || !FATAL_WAITING_REASONS.has(waiting.reason)) return undefined;
  return withMessage(waiting.reason, waiting.message);
}

function deadlineExceeded(pod: V1Pod): boolean {
  return pod.status?.phase === 'Failed' && pod.status.reason === 'DeadlineExceeded';
}

/** How the pod ended, before cancel and deletion are taken into account. */
function naturalEnd(pod: V1Pod, ctx: OutcomeContext): StageResult | undefined {
  if (deadlineExceeded(pod))
    return { status: 'failed', reason: `timed out after ${ctx.timeoutSeconds}s (DeadlineExceeded)` };

  const clone = containerStatus(pod, CLONE_CONTAINER);
  const cloneFatal = fatalWaiting(clone);
  if (cloneFatal !== undefined) return { status: 'failed', reason: `runner image: ${cloneFatal}` };
  const cloned = clone?.state?.terminated;
  if (cloned !== undefined && cloned.exitCode !== 0) {
    const reason = cloned.reason === 'OOMKilled' ? 'clone OOMKilled' : cloneFailureReason(cloned.exitCode);
    return { status: 'failed', exitCode: cloned.exitCode, reason };
  }

  const waited = containerStatus(pod, SERVICES_WAIT_CONTAINER)?.state?.terminated;
  if (waited !== undefined && waited.exitCode !== 0) {
    return {
      status: 'failed',
      exitCode: waited.exitCode,
      reason: 'services not ready: the late ones and their last log lines are in the log',
    };
  }

  const step = containerStatus(pod, STEP_CONTAINER);
  const stepFatal = fatalWaiting(step);
  if (stepFatal !== undefined) return { status: 'failed', reason: stepFatal };
  const ended = step?.state?.terminated;
  if (ended !== undefined) {
    if (ended.exitCode === 0) {
      // A passing step's cache is being saved beside it: the stage ends when that is done. The
      // pod is Pending, not Running, while cache-save is still being created (the kubelet's
      // getPhase counts a waiting container as Pending); a cache-save that cannot start (its
      // image) only costs the cache.
      const saving = pod.spec?.containers.some((c) => c.name === CACHE_SAVE_CONTAINER) === true;
      const podEnded = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      if (
        saving &&
        !containerTerminated(pod, CACHE_SAVE_CONTAINER) &&
        !podEnded &&
        fatalWaiting(containerStatus(pod, CACHE_SAVE_CONTAINER)) === undefined
      )
        return undefined;
      return { status: 'success', exitCode: 0 };
    }
    if (ended.reason === 'OOMKilled')
      return {
        status: 'failed',
        exitCode: ended.exitCode,
        reason: `OOMKilled (exit code ${ended.exitCode})`,
      };
    return { status: 'failed', exitCode: ended.exitCode, reason: `exit code ${ended.exitCode}` };
  }

  if (pod.status?.phase === 'Succeeded') return { status: 'success', exitCode: 0 };
  if (pod.status?.phase === 'Failed')
    return { status: 'failed', reason: withMessage(pod.status.reason ?? 'Failed', pod.status.message) };
  return undefined;
}

/**
 * How the stage ended, from the runner pod (undefined: deleted), or undefined while it has not.
 * The exit code and OOM kill come from the step container's terminated state; waiting reasons
 * that cannot heal (image pulls, missing config) end it at once. Pure.
 */
export function podOutcome(pod: V1Pod | undefined, ctx: OutcomeContext): StageResult | undefined {
  if (pod === undefined)
    return ctx.canceled
      ? { status: 'canceled', reason: 'canceled' }
      : { status: 'failed', reason: 'the runner pod was deleted outside Ferry' };
  const end = naturalEnd(pod, ctx);
  // A stage that succeeded stays a success, whatever came after.
  if (end?.status === 'success') return end;
  if (ctx.canceled)
    return end !== undefined || stepStopped(pod) ? { status: 'canceled', reason: 'canceled' } : undefined;
  if (end !== undefined && pod.metadata?.deletionTimestamp !== undefined)
    return {
      status: 'failed',
      reason: `the runner pod was deleted outside Ferry (${end.reason ?? 'ended'})`,
    };
  return end;
}

/** A deleted pod whose containers no longer run: nothing of the stage is running any more. */
function stepStopped(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp === undefined) return false;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.every((s) => s.state?.running === undefined);
}

/**
 * The pod waits to run something: no container runs, and it has not ended. The time spent so is
 * what `pendingTimeout` bounds (scheduling, image pulls, volumes). Pure.
 */
export function waitingToRun(pod: V1Pod | undefined, ctx: OutcomeContext): boolean {
  if (pod === undefined || podOutcome(pod, ctx) !== undefined) return false;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return !statuses.some((s) => s.state?.running !== undefined);
}

/** Why a pod is not running yet, for people: the scheduler's word, else a container's. Pure. */
export function pendingReason(pod: V1Pod | undefined): string {
  const scheduled = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    return withMessage(scheduled.reason ?? 'Unschedulable', scheduled.message);
  const statuses = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (
      waiting?.reason !== undefined &&
      status.state?.running === undefined &&
      status.state?.terminated === undefined
    )
      return `${status.name}: ${withMessage(waiting.reason, waiting.message)}`;
  }
  return withMessage(pod?.status?.reason ?? pod?.status?.phase ?? 'Pending', pod?.status?.message);
}
