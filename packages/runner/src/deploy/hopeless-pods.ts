import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { listWatch } from '../kube/list-watch.js';
import { type FastFailureThresholds, judgePod } from './hopeless-pod.js';
import { callOptions, type KubeClients } from './kube-clients.js';
import { replicaSetPodSelector } from './replica-sets.js';

export interface HopelessPod {
  readonly pod: string;
  readonly reason: string;
}

interface Tracked {
  pod: V1Pod;
  pullFailingSince: ReadonlyMap<string, number>;
}

/**
 * Watches the pods of one ReplicaSet and resolves with the first one `judgePod` finds hopeless,
 * judging on every pod event and every `tickMs` (for the pull grace). Rejects when `signal`
 * aborts or when the pods cannot be watched; the watch is closed in both cases.
 */
export async function watchForHopelessPod(
  c: KubeClients,
  rs: V1ReplicaSet,
  signal: AbortSignal,
  opts: { thresholds?: FastFailureThresholds; tickMs?: number } = {},
): Promise<HopelessPod> {
  signal.throwIfAborted();
  const namespace = rs.metadata?.namespace ?? '';
  const selector = replicaSetPodSelector(rs);
  const tracked = new Map<string, Tracked>();
  const scope = new AbortController();
  const stop = () => scope.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  let tick: NodeJS.Timeout | undefined;
  try {
    return await new Promise<HopelessPod>((resolve, reject) => {
      const judge = () => {
        const now = Date.now();
        for (const [uid, t] of tracked) {
          const j = judgePod(t.pod, t.pullFailingSince, now, opts.thresholds);
          tracked.set(uid, { pod: t.pod, pullFailingSince: j.pullFailingSince });
          if (j.hopeless !== undefined) {
            resolve({ pod: t.pod.metadata?.name ?? uid, reason: j.hopeless });
            return;
          }
        }
      };
      const keep = (pod: V1Pod) => {
        const uid = pod.metadata?.uid ?? pod.metadata?.name ?? '';
        tracked.set(uid, { pod, pullFailingSince: tracked.get(uid)?.pullFailingSince ?? new Map() });
      };
      tick = setInterval(judge, opts.tickMs ?? 1000);
      listWatch<V1Pod>({
        kc: c.kc,
        path: `/api/v1/namespaces/${namespace}/pods`,
        labelSelector: selector,
        signal: scope.signal,
        maxFailures: 5,
        list: () =>
          c.core.listNamespacedPod({ namespace, labelSelector: selector }, callOptions(scope.signal)),
        onSync: (pods) => {
          const uids = new Set(pods.map((p) => p.metadata?.uid ?? p.metadata?.name ?? ''));
          for (const uid of tracked.keys()) if (!uids.has(uid)) tracked.delete(uid);
          for (const p of pods) keep(p);
          judge();
        },
        onEvent: (type, pod) => {
          if (type === 'DELETED') tracked.delete(pod.metadata?.uid ?? pod.metadata?.name ?? '');
          else keep(pod);
          judge();
        },
      }).then(() => reject(signal.reason ?? new Error('the pod watch ended')), reject);
    });
  } finally {
    if (tick !== undefined) clearInterval(tick);
    signal.removeEventListener('abort', stop);
    scope.abort();
  }
}
