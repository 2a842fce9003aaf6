/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods from the template (named
 * `<rs>-<5 random>`), deletes the least useful extras first, and reports replica counts.
 */

import type { Registry } from '../api/registry.js';
import { R } from '../api/resources.js';
import { ApiError } from '../api/status.js';
import type { EventRecorder } from '../events.js';
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { QueueController } from './controller.js';
import { controllerOf, isActive, isAvailable, isReady } from './pods.js';
import { keyOf, splitKey } from './queue.js';

const MANAGER = 'kube-controller-manager';

/** Deletion order: unscheduled, pending, not ready, then the youngest first. */
function deletionRank(p: KubeObject): [number, number, number, number] {
  return [
    p.spec?.nodeName ? 1 : 0,
    p.status?.phase === 'Pending' ? 0 : 1,
    isReady(p) ? 1 : 0,
    -Date.parse(p.metadata.creationTimestamp),
  ];
}

export class ReplicaSetController extends QueueController {
  constructor(
    store: Store,
    private readonly registry: Registry,
    private readonly events: EventRecorder,
    logger: DoubleLogger,
  ) {
    super(store, 'replicaset', logger, 1000);
  }

  protected override resyncKeys(): string[] {
    return this.store.peekAll(R.replicasets).map((rs) => keyOf(rs.metadata.namespace, rs.metadata.name));
  }

  protected onChange(e: ChangeEvent): void {
    if (e.def === R.replicasets) this.queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name));
    if (e.def === R.pods) {
      for (const o of [e.object, e.old]) {
        const owner = o && controllerOf(o);
        if (o && owner?.kind === 'ReplicaSet') this.queue.add(keyOf(o.metadata.namespace, owner.name));
      }
    }
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.store
      .peekAll(R.pods, rs.metadata.namespace)
      .filter((p) => controllerOf(p)?.uid === rs.metadata.uid);
  }

  protected async reconcile(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const rs = this.store.peek(R.replicasets, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const active = this.podsOf(rs).filter(isActive);
    const want = rs.spec?.replicas ?? 1;
    if (active.length < want) {
      for (let i = active.length; i < want; i++) if (!(await this.createPod(rs))) break;
    } else if (active.length > want) {
      const victims = [...active].sort((a, b) => {
        const ra = deletionRank(a);
        const rb = deletionRank(b);
        for (let k = 0; k < ra.length; k++) if (ra[k] !== rb[k]) return ra[k]! - rb[k]!;
        return 0;
      });
      for (const p of victims.slice(0, active.length - want)) {
        await this.registry.delete(R.pods, ns, p.metadata.name).catch(() => undefined);
        this.events.record(rs, {
          type: 'Normal',
          reason: 'SuccessfulDelete',
          message: `Deleted pod: ${p.metadata.name}`,
          component: 'replicaset-controller',
        });
      }
    }
    this.updateStatus(rs);
  }

  /**
   * Creates one pod; false when admission refused it (Pod Security, quota, LimitRange): like
   * replica_set.go, a Warning `FailedCreate` event `Error creating: <message>` and the
   * `ReplicaFailure` condition, retried on the next sync.
   */
  private async createPod(rs: KubeObject): Promise<boolean> {
    try {
      await this.createPodOnce(rs);
      return true;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.events.record(rs, {
        type: 'Warning',
        reason: 'FailedCreate',
        message: `Error creating: ${err.message}`,
        component: 'replicaset-controller',
      });
      this.store.mutate(R.replicasets, rs.metadata.namespace, rs.metadata.name, (o) => {
        const others = (o.status?.conditions ?? []).filter(
          (c: { type: string }) => c.type !== 'ReplicaFailure',
        );
        o.status = {
          ...(o.status ?? {}),
          conditions: [
            ...others,
            {
              type: 'ReplicaFailure',
              status: 'True',
              reason: 'FailedCreate',
              message: err.message,
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        };
        return true;
      });
      return false;
    }
  }

  private async createPodOnce(rs: KubeObject): Promise<void> {
    const template = rs.spec?.template ?? {};
    const pod = await this.registry.create(
      R.pods,
      rs.metadata.namespace,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${rs.metadata.name}-`,
          namespace: rs.metadata.namespace,
          labels: { ...(template.metadata?.labels ?? {}) },
          ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: rs.metadata.name,
              uid: rs.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: structuredClone(template.spec ?? {}),
      },
      { manager: MANAGER },
    );
    this.events.record(rs, {
      type: 'Normal',
      reason: 'SuccessfulCreate',
      message: `Created pod: ${pod.metadata.name}`,
      component: 'replicaset-controller',
    });
  }

  private updateStatus(rs: KubeObject): void {
    const active = this.podsOf(rs).filter(isActive);
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const status = {
      replicas: active.length,
      fullyLabeledReplicas: active.length,
      readyReplicas: active.filter(isReady).length,
      availableReplicas: active.filter((p) => isAvailable(p, minReady)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    this.store.mutate(R.replicasets, rs.metadata.namespace, rs.metadata.name, (o) => {
      o.status = { ...(o.status ?? {}), ...status };
      return true;
    });
  }
}
