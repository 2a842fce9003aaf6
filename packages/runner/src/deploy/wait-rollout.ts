import type { V1Deployment } from '@kubernetes/client-node';
import type { OutputLines } from '../command/output-lines.js';
import { isNotFound } from './api-error.js';
import { callOptions, type KubeClients } from './kube-clients.js';
import { NewPodsWatch } from './new-pods-watch.js';
import { progressKey, rolloutStatus } from './rollout-status.js';
import { watchUntil } from './watch-until.js';

export type RolloutOutcome =
  | { ok: true; deployment: V1Deployment }
  | { ok: false; reason: string; deployment?: V1Deployment };

/** Slack over the Deployment's own progress deadline before Ferry gives up by itself. */
export const DEADLINE_SLACK_MS = 15_000;

/**
 * Watches a Deployment until its rollout is done or failed: failed on `ProgressDeadlineExceeded`,
 * when its status has not moved for `progressDeadlineMs` plus some slack (a controller that
 * reports nothing), or — without waiting for either — as soon as a pod of its new ReplicaSet can
 * never become ready (`judgePod`: a bad image, missing configuration, a crash loop). Progress
 * messages go to the log as they change. Both watches are closed on return.
 */
export async function waitForRollout(
  c: KubeClients,
  namespace: string,
  name: string,
  progressDeadlineMs: number,
  out: OutputLines,
  signal: AbortSignal,
): Promise<RolloutOutcome> {
  let lastKey = '';
  let lastMessage = '';
  let lastProgress = Date.now();
  let last: V1Deployment | undefined;
  const scope = new AbortController();
  const within = AbortSignal.any([signal, scope.signal]);
  const pods = new NewPodsWatch(c, out, within);
  const rollout = watchUntil<V1Deployment, RolloutOutcome>({
    kc: c.kc,
    path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    name,
    signal: within,
    read: async () => {
      try {
        return await c.apps.readNamespacedDeployment({ name, namespace }, callOptions(within));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    decide: (d) => {
      last = d;
      pods.follow(d);
      const status = rolloutStatus(d);
      const key = progressKey(d);
      if (key !== lastKey) {
        lastKey = key;
        lastProgress = Date.now();
      }
      if (status.message !== lastMessage) {
        lastMessage = status.message;
        out.line(`rollout of ${name}: ${status.message}`);
      }
      if (status.state === 'done' && d !== undefined) return { ok: true, deployment: d };
      if (status.state === 'failed')
        return { ok: false, reason: status.message, ...(d ? { deployment: d } : {}) };
      if (Date.now() - lastProgress > progressDeadlineMs + DEADLINE_SLACK_MS)
        return {
          ok: false,
          reason: `no progress for ${Math.round((progressDeadlineMs + DEADLINE_SLACK_MS) / 1000)}s (${status.message})`,
          ...(d ? { deployment: d } : {}),
        };
      return undefined;
    },
  });
  const hopeless = pods.hopeless.then(
    (h): RolloutOutcome => ({
      ok: false,
      reason: `pod ${h.pod} cannot become ready: ${h.reason}`,
      ...(last ? { deployment: last } : {}),
    }),
  );
  try {
    return await Promise.race([rollout, hopeless]);
  } finally {
    scope.abort();
  }
}
