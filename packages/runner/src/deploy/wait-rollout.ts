import type { V1Deployment } from '@kubernetes/client-node';
import type { OutputLines } from '../build/output-lines.js';
import { isNotFound } from './api-error.js';
import { callOptions, type KubeClients } from './kube-clients.js';
import { progressKey, rolloutStatus } from './rollout-status.js';
import { watchUntil } from './watch-until.js';

export type RolloutOutcome =
  | { ok: true; deployment: V1Deployment }
  | { ok: false; reason: string; deployment?: V1Deployment };

/** Slack over the Deployment's own progress deadline before Ferry gives up by itself. */
export const DEADLINE_SLACK_MS = 15_000;

/**
 * Watches a Deployment until its rollout is done or failed: failed on `ProgressDeadlineExceeded`,
 * or when its status has not moved for `progressDeadlineMs` plus some slack (a controller that
 * reports nothing). Progress messages go to the log as they change.
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
  return watchUntil<V1Deployment, RolloutOutcome>({
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
    decide: (d) => {
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
}
