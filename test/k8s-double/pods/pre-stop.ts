/**
 * A container's preStop hook, run as the kubelet runs it when it stops a container (kubernetes v1.31
 * pkg/kubelet/kuberuntime/kuberuntime_container.go, killContainer and executePreStopHook):
 * - the hook runs only when the grace period is above 0 (`gracePeriod > 0`: a force delete runs none);
 * - it gets the whole grace period as its deadline (`time.After(gracePeriod)`); past that the kubelet
 *   stops waiting for it;
 * - the whole seconds it took (`int64(time.Since(start).Seconds())`) come off the grace period, and
 *   the container then gets SIGTERM with what is left, never less than
 *   `minimumGracePeriodInSeconds = 2` ("always give containers a minimal shutdown window");
 * - a failed hook is a `FailedPreStopHook` warning event; the container is stopped all the same;
 * - handlers: exec in the container, httpGet to the pod (the kubelet's lifecycle handler), and
 *   sleep (PodLifecycleSleepAction, beta and on by default since v1.30).
 */
import type { Container } from '../api/kinds/pod-spec.js';
import { type ProbeTarget, runProbe } from './probes.js';

export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

export interface PreStopOutcome {
  /** The grace period left for SIGTERM → SIGKILL. */
  graceSeconds: number;
  /** Why the hook failed, when it did. */
  failure?: string;
}

export async function runPreStop(
  c: Container | undefined,
  target: ProbeTarget,
  graceSeconds: number,
): Promise<PreStopOutcome> {
  const hook = c?.lifecycle?.preStop;
  if (hook === undefined || graceSeconds <= 0) return { graceSeconds };
  const started = Date.now();
  let failure: string | undefined;
  if (hook.sleep !== undefined) {
    await new Promise((r) => setTimeout(r, Math.min(hook.sleep?.seconds ?? 0, graceSeconds) * 1000));
  } else if (hook.exec !== undefined || hook.httpGet !== undefined) {
    // The probe runners bound the handler by the deadline as the kubelet's select does.
    const result = await runProbe(
      {
        ...(hook.exec !== undefined ? { exec: hook.exec } : {}),
        ...(hook.httpGet !== undefined ? { httpGet: hook.httpGet } : {}),
        timeoutSeconds: graceSeconds,
      },
      target,
    );
    if (!result.ok) failure = result.message ?? 'failed';
  } else failure = 'preStop handler not supported by the k8s double (exec, httpGet and sleep are)';
  const took = Math.floor((Date.now() - started) / 1000);
  return {
    graceSeconds: Math.max(MINIMUM_GRACE_PERIOD_SECONDS, graceSeconds - took),
    ...(failure !== undefined ? { failure } : {}),
  };
}
